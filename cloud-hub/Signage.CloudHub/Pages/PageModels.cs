using Signage.CloudHub.Auth;

namespace Signage.CloudHub.Pages;

/// <summary>What every head-office page's layout needs: the title, who is signed in (their roles decide
/// the tabs), which tab is open, and the antiforgery token of the sign-out form.</summary>
public sealed record HubLayout(string Title, string? Active, HubCaller? Caller, string? Token)
{
    public bool ShowsHeadOffice => Caller?.SeesWholeTenant == true;
    public bool ShowsTenantAdmin => Caller is { IsTenantAdmin: true, TenantId: not null };
    public bool ShowsLibrary => Caller?.TenantId is not null;
    public bool ShowsPlatform => Caller?.IsPlatformAdmin == true;
}

public sealed record SignInView(HubLayout Layout, string Token, string? Error, string Email, string? ReturnTo);

/// <summary>A short page that says one thing (refused, not found, done) and links on.</summary>
public sealed record MessageView(HubLayout Layout, string Heading, string Message, string Back, string BackText);
