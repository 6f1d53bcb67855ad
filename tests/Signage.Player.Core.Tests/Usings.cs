global using Signage.Player.Core.Tests.Infrastructure;
