using System.Net.Http.Headers;
using Signage.Contracts;
using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

/// <summary>Shared-library and change-feed calls used by several test classes.</summary>
public static class LibraryCalls
{
    public static async Task<HubAsset> UploadAsync(this HubApi hub, TestTenant tenant, string name, byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await hub.SendAsync<HubAsset>(HttpMethod.Post, $"/v1/library/assets?name={Uri.EscapeDataString(name)}", tenant.AdminToken, content);
    }

    public static async Task<List<SyncChange>> AllChangesAsync(this HubApi hub, string credential)
    {
        var changes = new List<SyncChange>();
        long cursor = 0;
        while (true)
        {
            var page = await hub.SendAsync<SyncChangesResponse>(HttpMethod.Get, $"/v1/sync/changes?cursor={cursor}", credential, null);
            changes.AddRange(page.Changes);
            Assert.True(page.NextCursor >= cursor);
            cursor = page.NextCursor;
            if (!page.HasMore) return changes;
        }
    }
}
