using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Tyto.Actors.Tests;

namespace Tyto.Api.Tests;

[Collection(SharedHostGroup.Name)]
public sealed class ProcessesTests(SharedHost shared)
{
    [Fact]
    public async Task Process_details_describe_a_process_the_test_started()
    {
        using var sleeper = StartSleeper();
        // Until the child has exec'd sleep and gone to sleep it may still show as the test host, or running.
        var body = await Poll.ForAsync(
            async () =>
            {
                using var response = await shared.Admin.GetAsync($"/api/v1/processes/{sleeper.Id}");
                return await response.JsonAsync(HttpStatusCode.OK);
            },
            p => (p.GetProperty("name").GetString(), p.GetProperty("state").GetString()) == ("sleep", "S"),
            $"process {sleeper.Id} shows as sleep, sleeping",
            TimeSpan.FromSeconds(10));

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
        using var sleeper = await StartListedSleeperAsync();
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
        using var sleeper = await StartListedSleeperAsync();
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
    public async Task The_list_finds_filters_sorts_and_limits_processes()
    {
        // A duration no other process on the host uses, so the text filter has exactly one match.
        var marker = $"{Random.Shared.Next(100_000, 900_000)}.25";
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", marker) { UseShellExecute = false })!;
        var body = await ListUntilAsync($"q={marker}", b => b.GetProperty("matched").GetInt32() == 1 && Rows(b)[0].GetProperty("name").GetString() == "sleep");

        var row = Rows(body).Single();
        Assert.Equal(sleeper.Id, row.GetProperty("pid").GetInt32());
        Assert.Equal($"sleep {marker}", row.GetProperty("cmdline").GetString());
        Assert.Equal(Environment.UserName, row.GetProperty("user").GetString());
        Assert.Equal(1, row.GetProperty("threads").GetInt32());
        Assert.True(row.GetProperty("memory").GetInt64() > 0);
        Assert.Equal("local", body.GetProperty("agent_id").GetString());
        Assert.True(body.GetProperty("total").GetInt32() > 10);

        // The user filter keeps it for its owner and drops it for anyone else; the text filter also matches names.
        Assert.Single(Rows(await ListAsync($"q={marker}&user={Environment.UserName}")));
        Assert.Empty(Rows(await ListAsync($"q={marker}&user=no-such-user")));
        var byName = Rows(await ListAsync("q=SLEEP&sort=pid"));
        Assert.Contains(byName, r => r.GetProperty("pid").GetInt32() == sleeper.Id);

        var all = await ListAsync("sort=pid");
        Assert.Equal(all.GetProperty("total").GetInt32(), all.GetProperty("matched").GetInt32());
        Assert.Equal(all.GetProperty("matched").GetInt32(), Rows(all).Count);
        var pids = Rows(all).Select(r => r.GetProperty("pid").GetInt32()).ToList();
        Assert.Equal(pids.Order(), pids);
        Assert.Contains(1, pids);

        var memory = Rows(await ListAsync("sort=memory")).Select(r => r.GetProperty("memory").GetInt64()).ToList();
        Assert.Equal(memory.OrderDescending(), memory);
        var cpu = Rows(await ListAsync("sort=cpu")).Select(r => r.GetProperty("cpu").GetDouble()).ToList();
        Assert.Equal(cpu.OrderDescending(), cpu);
        var names = Rows(await ListAsync("sort=name")).Select(r => r.GetProperty("name").GetString()!).ToList();
        Assert.Equal(names.Order(StringComparer.OrdinalIgnoreCase), names);

        var limited = await ListAsync("sort=memory&limit=3");
        var top = Rows(limited).Select(r => r.GetProperty("memory").GetInt64()).ToList();
        Assert.Equal(3, top.Count);
        Assert.Equal(top.OrderDescending(), top);
        Assert.True(limited.GetProperty("matched").GetInt32() > 3);
        Kill(sleeper);
    }

    [Theory]
    [InlineData("sort=bogus", "sort")]
    [InlineData("sort=CPU", "sort")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=-5", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("limit=100001", "limit")]
    public async Task A_bad_list_query_is_400_naming_the_parameter(string query, string field)
    {
        using var response = await shared.Admin.GetAsync($"/api/v1/processes?{query}");
        var error = await response.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        Assert.True(error.GetProperty("details").TryGetProperty(field, out _), $"details should name {field}");
    }

    [Theory]
    [InlineData("/api/v1/processes?agent_id=no-such-agent")]
    [InlineData("/api/v1/processes?agent_id=")]
    [InlineData("/api/v1/processes/1?agent_id=%20")]
    public async Task The_processes_of_an_unknown_or_blank_agent_are_404(string path)
    {
        using var response = await shared.Admin.GetAsync(path);
        await response.ErrorAsync(HttpStatusCode.NotFound, "AGENT_NOT_FOUND");
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

    [Fact]
    public async Task Signal_to_a_pid_no_collection_listed_is_404_and_nothing_is_sent()
    {
        // A thread of this process: kill() takes its id for the whole process, but /proc lists processes only, so no
        // collection shows it. SIGCONT, so that a signal sent anyway would harm nothing.
        var thread = Directory.EnumerateDirectories("/proc/self/task").Select(t => int.Parse(Path.GetFileName(t), CultureInfo.InvariantCulture))
            .First(tid => tid != Environment.ProcessId);
        using var all = await shared.Admin.GetAsync("/api/v1/processes?sort=pid");
        Assert.DoesNotContain(thread, Rows(await all.JsonAsync(HttpStatusCode.OK)).Select(r => r.GetProperty("pid").GetInt32()));

        using var response = await shared.Admin.PostJsonAsync($"/api/v1/processes/{thread}/signal", new { signal = 18 });
        await response.ErrorAsync(HttpStatusCode.NotFound, "PROCESS_NOT_FOUND");
    }

    [Fact]
    public async Task Signals_are_refused_when_the_processes_are_read_from_another_pid_namespace()
    {
        // A captured /proc: its pids are another machine's, whichever processes have those numbers here.
        var root = Path.Combine(AppContext.BaseDirectory, "fixtures", "host-vm");
        var dataDir = TytoHost.NewDataDir();
        try
        {
            await using var host = await TytoHost.StartAsync(dataDir, $"--Tyto:Collection:RootPath={root}");
            using var admin = await host.LoginAsync();
            var listed = await Poll.ForAsync(
                async () =>
                {
                    using var response = await admin.GetAsync("/api/v1/processes?sort=pid");
                    return Rows(await response.JsonAsync(HttpStatusCode.OK));
                },
                rows => rows.Count > 0,
                "the captured processes are listed");
            var pid = listed[^1].GetProperty("pid").GetInt32();

            // SIGCONT, so that a signal sent anyway would harm nothing.
            using var signal = await admin.PostJsonAsync($"/api/v1/processes/{pid}/signal", new { signal = 18 });
            var error = await signal.ErrorAsync(HttpStatusCode.Conflict, "PID_NAMESPACE_MISMATCH");
            Assert.Contains("another pid namespace", error.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            TytoHost.DeleteDataDir(dataDir);
        }
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

    private Task AssertStateAsync(int pid, string state) =>
        Poll.UntilAsync(
            async () =>
            {
                using var response = await shared.Admin.GetAsync($"/api/v1/processes/{pid}");
                return (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("state").GetString() == state;
            },
            $"process {pid} is in state {state}",
            TimeSpan.FromSeconds(10));

    private async Task<JsonElement> ListAsync(string query)
    {
        using var response = await shared.Admin.GetAsync($"/api/v1/processes?{query}");
        return await response.JsonAsync(HttpStatusCode.OK);
    }

    /// <summary>Lists until <paramref name="done"/> holds: a new process shows once a collection has seen it exec.</summary>
    private Task<JsonElement> ListUntilAsync(string query, Func<JsonElement, bool> done) =>
        Poll.ForAsync(() => ListAsync(query), done, $"the list for '{query}' showed the process", TimeSpan.FromSeconds(15));

    private static List<JsonElement> Rows(JsonElement body) => body.GetProperty("processes").EnumerateArray().ToList();

    /// <summary>Starts a sleeper and waits until a collection has listed it: only listed processes can be signalled.</summary>
    private async Task<Process> StartListedSleeperAsync()
    {
        var sleeper = StartSleeper();
        try
        {
            await Poll.UntilAsync(
                async () => Rows(await ListAsync("q=sleep")).Any(r => r.GetProperty("pid").GetInt32() == sleeper.Id),
                $"the process list shows sleeper {sleeper.Id}");
            return sleeper;
        }
        catch
        {
            Kill(sleeper);
            sleeper.Dispose();
            throw;
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
