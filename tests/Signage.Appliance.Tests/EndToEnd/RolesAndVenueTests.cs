using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using static Signage.Appliance.Tests.Infrastructure.ApplianceApi;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>Roles enforced on the venue and user endpoints, tenant isolation, If-Match rules.</summary>
public sealed class RolesAndVenueTests : ApplianceApiTests
{
    private string VenuePath => $"/v1/venues/{Api.VenueId}";

    private static JsonContent Update(string name = "The Crown & Anchor", string zone = "Europe/London", OpeningHours[]? hours = null, string? fallback = null) =>
        JsonContent.Create(new UpdateVenueRequest(name, zone, hours ?? [new OpeningHours(1, 660, 1380)], fallback), ContractsJsonContext.Default.UpdateVenueRequest);

    private async Task<string> ETagAsync(string token) =>
        (await Api.SendAsync(HttpMethod.Get, VenuePath, token)).Headers.ETag!.Tag;

    [Fact]
    public async Task Viewer_reads_the_venue_but_may_not_change_it()
    {
        var viewer = await Api.CreateUserAsync("viewer@venue.test", Roles.VenueViewer);
        var read = await Api.SendAsync(HttpMethod.Get, VenuePath, viewer.AccessToken);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);

        var write = await Api.SendAsync(HttpMethod.Put, VenuePath, viewer.AccessToken, Update(), read.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal("FORBIDDEN", (await ProblemAsync(write)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Editor_may_not_change_venue_settings_but_manager_may()
    {
        var editor = await Api.CreateUserAsync("editor@venue.test", Roles.VenueEditor);
        var manager = await Api.CreateUserAsync("manager@venue.test", Roles.VenueManager);
        var etag = await ETagAsync(manager.AccessToken);

        Assert.Equal(HttpStatusCode.Forbidden, (await Api.SendAsync(HttpMethod.Put, VenuePath, editor.AccessToken, Update(), etag)).StatusCode);
        var ok = await Api.SendAsync(HttpMethod.Put, VenuePath, manager.AccessToken, Update(zone: "America/New_York"), etag);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var venue = await ok.Content.ReadFromJsonAsync(ContractsJsonContext.Default.VenueResponse);
        Assert.Equal(("The Crown & Anchor", "America/New_York", 1L), (venue!.Name, venue.Timezone, venue.ManifestEpoch));
        Assert.NotEqual(etag, ok.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Mutation_without_if_match_is_428_and_the_slower_of_two_managers_gets_412()
    {
        var missing = await Api.AsAdmin(HttpMethod.Put, VenuePath, Update());
        Assert.Equal((HttpStatusCode)428, missing.StatusCode);

        var etag = await ETagAsync(Api.Admin.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Put, VenuePath, Update(name: "First"), etag)).StatusCode);
        var second = await Api.AsAdmin(HttpMethod.Put, VenuePath, Update(name: "Second"), etag);

        Assert.Equal(HttpStatusCode.PreconditionFailed, second.StatusCode);
        var problem = await ProblemAsync(second);
        Assert.Equal("PRECONDITION_FAILED", problem.GetProperty("code").GetString());
        Assert.Equal(await ETagAsync(Api.Admin.AccessToken), problem.GetProperty("currentEtag").GetString());
        var venue = await (await Api.AsAdmin(HttpMethod.Get, VenuePath)).Content.ReadFromJsonAsync(ContractsJsonContext.Default.VenueResponse);
        Assert.Equal("First", venue!.Name);
    }

    [Fact]
    public async Task Invalid_venue_settings_are_422_naming_each_field()
    {
        var etag = await ETagAsync(Api.Admin.AccessToken);
        var response = await Api.AsAdmin(HttpMethod.Put, VenuePath, Update(name: " ", zone: "Europe/Atlantis", hours: [new OpeningHours(8, 0, 2000)]), etag);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await ProblemAsync(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.Contains("Europe/Atlantis", errors.GetProperty("timezone")[0].GetString());
        Assert.Equal(2, errors.GetProperty("openingHours").GetArrayLength());
        Assert.Equal(etag, await ETagAsync(Api.Admin.AccessToken)); // nothing written
    }

    [Fact]
    public async Task Fallback_playlist_must_be_a_published_playlist_of_the_venue()
    {
        var etag = await ETagAsync(Api.Admin.AccessToken);
        var response = await Api.AsAdmin(HttpMethod.Put, VenuePath, Update(fallback: "pl_does_not_exist"), etag);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await ProblemAsync(response)).GetProperty("errors").TryGetProperty("fallbackPlaylistId", out _));
    }

    [Fact]
    public async Task Another_tenants_venue_and_users_answer_404_even_to_a_tenant_admin()
    {
        var (otherTenant, otherVenue) = await AddOtherTenantAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Get, $"/v1/venues/{otherVenue}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Get, $"/v1/tenants/{otherTenant}/users")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Get, "/v1/venues/ven_unknown")).StatusCode);

        var outsider = await LoginAsync(Api.Process.Client, "boss@other.test", "a long enough password");
        Assert.Equal(HttpStatusCode.NotFound, (await Api.SendAsync(HttpMethod.Get, VenuePath, outsider.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.SendAsync(HttpMethod.Get, $"/v1/venues/{otherVenue}", outsider.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task Only_tenant_admins_manage_users()
    {
        var manager = await Api.CreateUserAsync("manager@venue.test", Roles.VenueManager);
        var response = await Api.SendAsync(HttpMethod.Get, $"/v1/tenants/{Api.TenantId}/users", manager.AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Creating_a_user_checks_email_password_and_roles_and_refuses_a_taken_email()
    {
        var bad = await Api.AsAdmin(HttpMethod.Post, $"/v1/tenants/{Api.TenantId}/users",
            Json("""{"email":"not-an-email","displayName":"X","password":"short","venueRoles":[{"venueId":"ven_nope","role":"VENUE_OWNER"}]}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        var errors = (await ProblemAsync(bad)).GetProperty("errors");
        Assert.Equal(["email", "password", "venueRoles"], errors.EnumerateObject().Select(p => p.Name).Order());

        var taken = await Api.AsAdmin(HttpMethod.Post, $"/v1/tenants/{Api.TenantId}/users",
            Json($$"""{"email":"{{AdminEmail.ToUpperInvariant()}}","displayName":"X","password":"a long enough password"}"""));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
    }

    [Fact]
    public async Task Role_change_takes_effect_at_once_and_is_audited()
    {
        var person = await Api.CreateUserAsync("person@venue.test", Roles.VenueViewer);
        var etag = await ETagAsync(person.AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.SendAsync(HttpMethod.Put, VenuePath, person.AccessToken, Update(), etag)).StatusCode);

        var promote = await Api.AsAdmin(HttpMethod.Put, $"/v1/tenants/{Api.TenantId}/users/{person.User.UserId}/venue-roles",
            JsonContent.Create(new SetVenueRolesRequest([new VenueRoleGrant(Api.VenueId, Roles.VenueManager)]), ContractsJsonContext.Default.SetVenueRolesRequest));
        Assert.Equal(HttpStatusCode.OK, promote.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await Api.SendAsync(HttpMethod.Put, VenuePath, person.AccessToken, Update(), etag)).StatusCode);
        var audit = await (await Api.AsAdmin(HttpMethod.Get, $"{VenuePath}/audit?limit=2")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseAuditEntry);
        Assert.Equal(["VENUE_UPDATED", "ROLES_CHANGED"], audit!.Items.Select(e => e.Action));
        Assert.NotNull(audit.NextCursor);
        var older = await (await Api.AsAdmin(HttpMethod.Get, $"{VenuePath}/audit?limit=2&cursor={audit.NextCursor}")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseAuditEntry);
        Assert.True(older!.Items.All(e => e.AuditId < audit.Items[^1].AuditId));
    }

    /// <summary>A second tenant, as the hub would sync it down, written straight into the database.</summary>
    private async Task<(string Tenant, string Venue)> AddOtherTenantAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Temp.Combine("data", "appliance.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO tenant (tenant_id, name, created_at_utc) VALUES ('ten_other', 'Other', '2026-01-01T00:00:00.000Z');
            INSERT INTO venue (venue_id, tenant_id, name, timezone, created_at_utc, updated_at_utc)
                VALUES ('ven_other', 'ten_other', 'Elsewhere', 'UTC', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
            INSERT INTO user_account (user_id, tenant_id, email, display_name, password_hash, created_at_utc)
                VALUES ('usr_other', 'ten_other', 'boss@other.test', 'Boss', $hash, '2026-01-01T00:00:00.000Z');
            INSERT INTO tenant_user_role (user_id, role) VALUES ('usr_other', 'TENANT_ADMIN');
            """;
        command.Parameters.AddWithValue("$hash", Signage.Appliance.Auth.AuthEndpoints.Passwords.HashPassword("", "a long enough password"));
        await command.ExecuteNonQueryAsync();
        return ("ten_other", "ven_other");
    }
}
