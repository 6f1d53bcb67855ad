namespace Signage.Appliance.Hosting;

/// <summary>
/// A condition that makes start-up impossible and that the operator must fix (unusable data
/// directory, database from a newer version). Its message is the one log line they will read.
/// </summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
