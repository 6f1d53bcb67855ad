using System.Text.Json;
using Signage.Contracts;

namespace Signage.Appliance.Hosting;

/// <summary>A command-line verb's one result line on stdout (see <see cref="ApplianceVerbs"/>).</summary>
public static class VerbResult
{
    /// <returns><paramref name="exitCode"/>, for <c>return VerbResult.Write(…)</c>.</returns>
    public static int Write(int exitCode, ApplianceVerbResult result)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(result, ContractsJsonContext.Default.ApplianceVerbResult));
        Console.Out.Flush();
        return exitCode;
    }
}
