using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Tyto.Api.Tests;

[Collection(SharedHostGroup.Name)]
public sealed class ProcessesTests(SharedHost shared)
{
    [Fact]
    public async Task Process_details_describe_a_process_the_test_started()
    {
        using var sleeper = StartSleeper();
        // Until the child has exec'd sleep and gone to sleep it may still show as the test host, or running.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement body;
        while (true)
        {
            using var response = await shared.Admin.GetAsync($"/api/v1/processes/{sleeper.Id}");
            body = await response.JsonAsync(HttpStatusCode.OK);
            if ((body.GetProperty("name").GetString(), body.GetProperty("state").GetString()) == ("sleep", "S") || DateTime.UtcNow > deadline)
                break;
            await Task.Delay(100);
        }

        Assert.Equal(sleeper.Id, body.GetProperty("pid").GetInt32());
        Assert.Equal("sleep", body.GetProperty("name").GetString());
        Assert.Equal("sleep 300", body.GetProperty("cmdline").GetString());
        Assert.Equal(Environment.UserName, body.GetProperty("user").GetString());
        Assert.Equal("S", body.GetProperty("state").GetString());
        Assert.Equal(1, body.GetProperty("threads").GetInt32());
        Assert.True(body.GetProperty("memory").GetInt64() > 0);
        Assert.True(body.GetProperty("cpu").GetDouble() >= 0);
        var started = body.GetProperty("startTime").GetDateTime().ToUniversalTime();
        Assert.InRange(started, sleeper.StartTime.ToUniversalTime().AddSeconds(-5), sleeper.StartTime.ToUniversalTime().AddSeconds(5));
        Kill(sleeper);
    }

    [Fact]
    public async Task Sigterm_ends_a_process_the_test_started()
    {
        using var sleeper = StartSleeper();
        using var response = await shared.Admin.PostJsonAsync($"/api/v1/processes/{sleeper.Id}/signal", new { signal = 15 });
        var body = await response.JsonAsync(HttpStatusCode.OK);
        Assert.Equal(15, body.GetProperty("signal").GetInt32());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await sleeper.WaitForExitAsync(timeout.Token);
        Assert.Equal(143, sleeper.ExitCode);
    }

    [Fact]
    public async Task Sigstop_and_sigcont_pause_and_resume()
    {
        using var sleeper = StartSleeper();
        using (var stop = await shared.Admin.PostJsonAsync($"/api/v1/processes/{sleeper.Id}/signal", new { signal = 19 }))
            await stop.JsonAsync(HttpStatusCode.OK);
        await AssertStateAsync(sleeper.Id, "T");
        using (var resume = await shared.Admin.PostJsonAsync($"/api/v1/processes/{sleeper.Id}/signal", new { signal = 18 }))
            await resume.JsonAsync(HttpStatusCode.OK);
        await AssertStateAsync(sleeper.Id, "S");
        using (var kill = await shared.Admin.PostJsonAsync($"/api/v1/processes/{sleeper.Id}/signal", new { signal = 9 }))
            await kill.JsonAsync(HttpStatusCode.OK);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await sleeper.WaitForExitAsync(timeout.Token);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public async Task Non_numeric_pid_is_400(string pid)
    {
        using var details = await shared.Admin.GetAsync($"/api/v1/processes/{pid}");
        await details.ErrorAsync(HttpStatusCode.BadRequest, "INVALID_PID");
        using var signal = await shared.Admin.PostJsonAsync($"/api/v1/processes/{pid}/signal", new { signal = 15 });
        await signal.ErrorAsync(HttpStatusCode.BadRequest, "INVALID_PID");
    }

    [Fact]
    public async Task Missing_pid_is_404()
    {
        const int pid = int.MaxValue;
        using var details = await shared.Admin.GetAsync($"/api/v1/processes/{pid}");
        await details.ErrorAsync(HttpStatusCode.NotFound, "PROCESS_NOT_FOUND");
        using var signal = await shared.Admin.PostJsonAsync($"/api/v1/processes/{pid}/signal", new { signal = 15 });
        await signal.ErrorAsync(HttpStatusCode.NotFound, "PROCESS_NOT_FOUND");
    }

    [Theory]
    [InlineData("{\"signal\":0}", "INVALID_SIGNAL")]
    [InlineData("{\"signal\":32}", "INVALID_SIGNAL")]
    [InlineData("{\"signal\":64}", "INVALID_SIGNAL")]
    [InlineData("{\"signal\":-9}", "INVALID_SIGNAL")]
    [InlineData("{}", "VALIDATION_FAILED")]
    [InlineData("{\"signal\":\"TERM\"}", "INVALID_REQUEST")]
    [InlineData("{\"signal\":", "INVALID_REQUEST")]
    public async Task Unknown_signal_is_400_and_nothing_is_sent(string json, string code)
    {
        using var sleeper = StartSleeper();
        using var response = await shared.Admin.SendRawAsync(HttpMethod.Post, $"/api/v1/processes/{sleeper.Id}/signal", json);
        await response.ErrorAsync(HttpStatusCode.BadRequest, code);
        Assert.False(sleeper.HasExited);
        Kill(sleeper);
    }

    private async Task AssertStateAsync(int pid, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var response = await shared.Admin.GetAsync($"/api/v1/processes/{pid}");
            var actual = (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("state").GetString();
            if (actual == state)
                return;
            Assert.True(DateTime.UtcNow < deadline, $"process {pid} stayed in state {actual}, expected {state}");
            await Task.Delay(100);
        }
    }

    private static Process StartSleeper() =>
        Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false }) ?? throw new InvalidOperationException("could not start sleep");

    private static void Kill(Process process)
    {
        if (!process.HasExited)
            process.Kill();
    }
}
