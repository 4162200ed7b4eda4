using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Tyto.Api.Tests;

/// <summary>History on hosts of their own: a stalled database and a restart.</summary>
public sealed class HistoryDurabilityTests
{
    [Fact]
    public async Task The_live_stream_keeps_flowing_while_the_database_is_stalled_and_history_loses_nothing()
    {
        var dataDir = TytoHost.NewDataDir();
        await using (var host = await TytoHost.StartAsync(dataDir))
        {
            using var admin = await host.LoginAsync();
            await HistoryTests.WaitForHistoryAsync(admin, "resolution=raw", 1);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await using var stream = await SseReader.OpenAsync(admin, "/api/v1/stream", timeout.Token);
            await stream.NextSampleAsync(timeout.Token);

            var streamed = new List<DateTime>();
            await using (var blocker = new SqliteConnection($"Data Source={Path.Combine(dataDir, "tyto.db")}"))
            {
                await blocker.OpenAsync(timeout.Token);
                // Microsoft.Data.Sqlite begins IMMEDIATE: nothing else can write until this ends.
                using var transaction = blocker.BeginTransaction();
                for (var i = 0; i < 4; i++)
                    streamed.Add((await stream.NextSampleAsync(timeout.Token)).GetProperty("timestamp").GetDateTime());
                transaction.Rollback();
            }

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                using var response = await admin.GetAsync("/api/v1/history?resolution=raw");
                var stored = (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray()
                    .Select(p => p.GetProperty("timestamp").GetDateTime()).ToHashSet();
                if (streamed.All(stored.Contains))
                    break;
                Assert.True(DateTime.UtcNow < deadline, "samples streamed during the stall never reached history");
                await Task.Delay(250, timeout.Token);
            }
        }
        TytoHost.DeleteDataDir(dataDir);
    }

    [Fact]
    public async Task History_survives_a_restart_and_no_bucket_counts_a_sample_twice()
    {
        var dataDir = TytoHost.NewDataDir();
        List<DateTime> before;
        await using (var first = await TytoHost.StartAsync(dataDir))
        {
            using var admin = await first.LoginAsync();
            before = Timestamps(await HistoryTests.WaitForHistoryAsync(admin, "resolution=raw", 3));
        }

        await using (var second = await TytoHost.StartAsync(dataDir))
        {
            using var admin = await second.LoginAsync();
            var raw = await HistoryTests.WaitForHistoryAsync(admin, "resolution=raw", before.Count + 2);
            var after = Timestamps(raw);
            Assert.Superset(before.ToHashSet(), after.ToHashSet());

            using var minutes = await admin.GetAsync("/api/v1/history?resolution=1m");
            var buckets = (await minutes.JsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();
            Assert.NotEmpty(buckets);
            // Raw points arrive on, so count them in a second read that covers at least what the buckets saw.
            var counted = Timestamps(await HistoryTests.WaitForHistoryAsync(admin, "resolution=raw", after.Count));
            foreach (var bucket in buckets)
            {
                var start = bucket.GetProperty("timestamp").GetDateTime();
                var inBucket = counted.Count(t => t >= start && t < start.AddMinutes(1));
                // Equal for every closed bucket; the one still filling may trail the second read, never exceed it.
                Assert.InRange(bucket.GetProperty("samples").GetInt32(), 1, inBucket);
            }
        }
        TytoHost.DeleteDataDir(dataDir);
    }

    private static List<DateTime> Timestamps(JsonElement history) =>
        [.. history.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("timestamp").GetDateTime())];
}
