using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Logs;

/// <summary>Each rule by which a file's line gives its level and time.</summary>
public sealed class LogLineTests
{
    [Theory]
    [InlineData("""{"level":"error","msg":"disk full"}""", LogSeverity.Error)]
    [InlineData("""{"msg":"x","LEVEL":"WARNING"}""", LogSeverity.Warning)]
    [InlineData("""{"lvl":"warn"}""", LogSeverity.Warning)]
    [InlineData("""{"severity":"CRITICAL"}""", LogSeverity.Crit)]
    [InlineData("""{"level":"fatal"}""", LogSeverity.Crit)]
    [InlineData("""{"level":"panic"}""", LogSeverity.Emerg)]
    [InlineData("""{"level":"err"}""", LogSeverity.Error)]
    [InlineData("""{"level":"trace"}""", LogSeverity.Debug)]
    [InlineData("""{"level":"Notice"}""", LogSeverity.Notice)]
    [InlineData("""{"level":"alert"}""", LogSeverity.Alert)]
    [InlineData("""{"level":"emerg"}""", LogSeverity.Emerg)]
    [InlineData("""{"level":"information"}""", LogSeverity.Info)]
    [InlineData("""{"context":{"level":"error"},"level":"debug"}""", LogSeverity.Debug)]
    [InlineData("""{"level":50,"msg":"pino"}""", LogSeverity.Error)]
    [InlineData("""{"level":40}""", LogSeverity.Warning)]
    [InlineData("""{"level":10}""", LogSeverity.Debug)]
    [InlineData("""{"level":60}""", LogSeverity.Crit)]
    [InlineData("""{"level":"shouting"}""", LogSeverity.Info)]
    [InlineData("""{"msg":"ERROR in a JSON line without a level"}""", LogSeverity.Info)]
    [InlineData("""{"level":"error" not json""", LogSeverity.Info)]
    [InlineData("""time=2024-05-01T10:00:00Z level=warn msg="slow query" took=2s""", LogSeverity.Warning)]
    [InlineData("""level="error" msg=quoted""", LogSeverity.Error)]
    [InlineData("""ts=1 lvl=loud caller=main.go""", LogSeverity.Info)]
    [InlineData("""t=2024-05-01T10:00:00Z lvl=dbug msg=log15""", LogSeverity.Debug)]
    [InlineData("""t=2024-05-01T10:00:00Z lvl=eror msg=log15""", LogSeverity.Error)]
    [InlineData("""ts=1 lvl=debug caller=main.go""", LogSeverity.Debug)]
    [InlineData("""ts=1 severity=CRIT msg=x""", LogSeverity.Crit)]
    [InlineData("""msg="loglevel=error is not the key" level=info""", LogSeverity.Info)]
    [InlineData("2024-05-01 10:00:00,123 ERROR [main] something broke", LogSeverity.Error)]
    [InlineData("2024-05-01T10:00:00.123+00:00  WARN 4242 --- [main] o.s.Boot : slow start", LogSeverity.Warning)]
    [InlineData("WARNING: deprecated option", LogSeverity.Warning)]
    [InlineData("2024/05/01 10:00:00 [error] 12#12: *3 open() failed", LogSeverity.Error)]
    [InlineData("2024/05/01 10:00:00 [notice] 1#1: start worker processes", LogSeverity.Notice)]
    [InlineData("[10:00:00 INF] Request finished", LogSeverity.Info)]
    [InlineData("[10:00:00 WRN] Retrying", LogSeverity.Warning)]
    [InlineData("[10:00:00 ERR] Failed", LogSeverity.Error)]
    [InlineData("[10:00:00 FTL] Host terminated", LogSeverity.Crit)]
    [InlineData("[10:00:00 DBG] Cache hit", LogSeverity.Debug)]
    [InlineData("[10:00:00 VRB] Tick", LogSeverity.Debug)]
    [InlineData("DEBUG:root:connecting", LogSeverity.Debug)]
    [InlineData("TRACE entering loop", LogSeverity.Debug)]
    [InlineData("CRIT temperature above limit", LogSeverity.Crit)]
    [InlineData("FATAL out of memory", LogSeverity.Crit)]
    [InlineData("NOTICE config reloaded", LogSeverity.Notice)]
    [InlineData("<warn> link down", LogSeverity.Warning)]
    [InlineData("Error: connection refused", LogSeverity.Error)]
    [InlineData("no error was found in the report", LogSeverity.Info)]
    [InlineData("Dec  1 21:00:00 host sshd[42]: Accepted publickey for root", LogSeverity.Info)]
    [InlineData("ERRORS are counted, not reported", LogSeverity.Info)]
    [InlineData("plain line", LogSeverity.Info)]
    [InlineData("", LogSeverity.Info)]
    public void The_level_comes_from_the_line(string line, LogSeverity level) =>
        Assert.Equal(level, LogLine.Read(line).Level);

    [Theory]
    [InlineData("""{"level":"info","msg":"x"}""", LogSeverity.Info)]
    [InlineData("INFO listening", LogSeverity.Info)]
    [InlineData("level=debug msg=x", LogSeverity.Debug)]
    [InlineData("""{"level":"shouting"}""", null)]
    [InlineData("plain line", null)]
    public void A_line_that_names_no_level_states_none(string line, LogSeverity? level) =>
        Assert.Equal(level, LogLine.Stated(line).Level);

    [Fact]
    public void A_level_word_far_into_the_line_says_nothing()
    {
        var line = new string('.', LogLine.TokenWindow) + " ERROR";

        Assert.Equal(LogSeverity.Info, LogLine.Read(line).Level);
        Assert.Equal(LogSeverity.Error, LogLine.Read(line[7..]).Level);
    }

    [Theory]
    [InlineData("2024-05-01T10:00:00Z started", "2024-05-01T10:00:00.0000000Z")]
    [InlineData("2024-05-01T12:00:00.123+02:00 INFO started", "2024-05-01T10:00:00.1230000Z")]
    [InlineData("""{"time":"2024-05-01T10:00:00.5Z","level":"info"}""", "2024-05-01T10:00:00.5000000Z")]
    [InlineData("""{"@timestamp":"2024-05-01T11:00:00+01:00"}""", "2024-05-01T10:00:00.0000000Z")]
    [InlineData("""{"ts":1714557600.5}""", null)]
    [InlineData("2024-05-01T10:00:00 no zone", null)]
    [InlineData("2024-05-01 10:00:00Z the date and time are two words", null)]
    [InlineData("Dec  1 21:00:00 host app: syslog has neither year nor zone", null)]
    [InlineData("started at 2024-05-01T10:00:00Z", null)]
    public void The_time_comes_from_the_line_only_with_its_zone(string line, string? expected) =>
        Assert.Equal(expected, LogLine.Read(line).Timestamp?.ToString("O"));

    [Fact]
    public void A_time_from_the_line_is_utc()
    {
        var time = LogLine.Read("2024-05-01T12:00:00+02:00 x").Timestamp;

        Assert.Equal(DateTimeKind.Utc, time!.Value.Kind);
    }
}
