using System.Text.Json;

namespace Signage.Contracts.Tests;

public sealed class ContractsTests
{
    [Fact]
    public void Health_report_uses_camel_case_names_on_the_wire()
    {
        var json = JsonSerializer.Serialize(new HealthReport("ok", "1.2.3", new DatabaseHealth("ok", 4), 17), ContractsJsonContext.Default.HealthReport);
        Assert.Equal("""{"status":"ok","version":"1.2.3","database":{"status":"ok","schemaVersion":4},"uptimeSeconds":17}""", json);
    }

    [Fact]
    public void Health_report_round_trips()
    {
        var report = new HealthReport("ok", "1.2.3", new DatabaseHealth("ok", 4), 17);
        var json = JsonSerializer.Serialize(report, ContractsJsonContext.Default.HealthReport);
        Assert.Equal(report, JsonSerializer.Deserialize(json, ContractsJsonContext.Default.HealthReport));
    }

    [Theory]
    [InlineData(400, "BAD_REQUEST")]
    [InlineData(401, "UNAUTHORIZED")]
    [InlineData(404, "NOT_FOUND")]
    [InlineData(412, "PRECONDITION_FAILED")]
    [InlineData(428, "PRECONDITION_REQUIRED")]
    [InlineData(429, "RATE_LIMITED")]
    [InlineData(500, "INTERNAL_ERROR")]
    [InlineData(503, "SERVICE_UNAVAILABLE")]
    public void Each_status_has_the_spec_code(int status, string code) => Assert.Equal(code, ProblemCodes.ForStatus(status));

    [Fact]
    public void Problem_type_is_a_urn_naming_the_code() =>
        Assert.Equal("urn:signage:error:NOT_FOUND", ProblemCodes.TypeUri(ProblemCodes.NotFound));
}
