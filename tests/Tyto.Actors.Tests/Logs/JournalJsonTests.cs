using System.Text.Json;
using System.Text.Json.Nodes;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Logs;

public sealed class JournalJsonTests
{
    /// <summary>The default <c>Tyto:Logs:MaxLineBytes</c>.</summary>
    private const int MaxBytes = 16 * 1024;

    private static readonly IReadOnlyList<string> Recorded = FakeJournalctl.Recording();

    [Fact]
    public void Every_recorded_line_is_a_journal_entry_with_its_cursor()
    {
        var entries = Recorded.Select(l => JournalJson.Parse(l, MaxBytes)).ToList();

        Assert.All(entries, Assert.NotNull);
        Assert.Equal(Recorded.Select(l => JsonNode.Parse(l)!["__CURSOR"]!.GetValue<string>()), entries.Select(e => e!.Cursor));
        Assert.Equal(Recorded.Count, entries.Select(e => e!.Cursor).Distinct().Count());
        Assert.All(entries, e => Assert.Equal(LogSourceKind.Journal, e!.Entry.Source));
    }

    [Fact]
    public void The_time_is_when_journald_received_the_entry_in_utc()
    {
        var entry = Parse(0);

        Assert.Equal(DateTimeKind.Utc, entry.Timestamp.Kind);
        Assert.Equal("2018-08-21T14:04:21.2213730Z", entry.Timestamp.ToString("O"));
    }

    [Fact]
    public void Recorded_priorities_become_their_syslog_levels()
    {
        Assert.Equal(
            [
                LogSeverity.Alert, LogSeverity.Info, LogSeverity.Error, LogSeverity.Info, LogSeverity.Info,
                LogSeverity.Warning, LogSeverity.Info, LogSeverity.Info, LogSeverity.Info, LogSeverity.Warning,
            ],
            Recorded.Select(l => JournalJson.Parse(l, MaxBytes)!.Entry.Level));
    }

    [Theory]
    [InlineData("0", LogSeverity.Emerg)]
    [InlineData("1", LogSeverity.Alert)]
    [InlineData("2", LogSeverity.Crit)]
    [InlineData("3", LogSeverity.Error)]
    [InlineData("4", LogSeverity.Warning)]
    [InlineData("5", LogSeverity.Notice)]
    [InlineData("6", LogSeverity.Info)]
    [InlineData("7", LogSeverity.Debug)]
    [InlineData(null, LogSeverity.Info)]
    [InlineData("8", LogSeverity.Info)]
    [InlineData("03", LogSeverity.Info)]
    [InlineData("err", LogSeverity.Info)]
    public void Each_priority_is_its_syslog_level_and_anything_else_is_info(string? priority, LogSeverity level) =>
        Assert.Equal(level, Parse(Edit(4, e =>
        {
            if (priority is null)
                e.Remove("PRIORITY");
            else
                e["PRIORITY"] = priority;
        })).Level);

    [Fact]
    public void The_source_name_is_the_unit_else_the_identifier_else_the_command_else_the_transport()
    {
        Assert.Equal(
            [
                "medusa-GpsLocator.service", "medusa-GpsLocator.service", "user@1000.service", "session-2.scope", "kernel",
                "ngrok.service", "ngrok.service", "ngrok.service", "ngrok.service", "ngrok.service",
            ],
            Recorded.Select(l => JournalJson.Parse(l, MaxBytes)!.Entry.SourceName));

        // The line of `cat` in a login session: session-2.scope, SYSLOG_IDENTIFIER TestRestartsJournalctlOnError, _COMM cat.
        var noUnit = Edit(3, e => e.Remove("_SYSTEMD_UNIT"));
        Assert.Equal("TestRestartsJournalctlOnError", Parse(noUnit).SourceName);
        var noIdentifier = Edit(noUnit, e => e.Remove("SYSLOG_IDENTIFIER"));
        Assert.Equal("cat", Parse(noIdentifier).SourceName);
        Assert.Equal("stdout", Parse(Edit(noIdentifier, e => e.Remove("_COMM"))).SourceName);
    }

    [Fact]
    public void A_message_given_as_bytes_is_decoded()
    {
        // pulseaudio's message holds a carriage return, so journalctl printed it as an array of bytes.
        Assert.StartsWith("[85,110,97,98", JsonNode.Parse(Recorded[2])!["MESSAGE"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("Unable to parse indicator of AT+BIA command: AT+BIA=1,1,0,0,0\rAT+BCS=2", Parse(2).Message);

        // Bytes that are not UTF-8 become replacement characters; an ESC of a colour stays.
        Assert.Equal("hi\uFFFD", Parse(Edit(4, e => e["MESSAGE"] = new JsonArray(104, 105, 255))).Message);
        Assert.Equal("\u001b[32mok", Parse(Edit(4, e => e["MESSAGE"] = new JsonArray(27, 91, 51, 50, 109, 111, 107))).Message);
    }

    [Fact]
    public void The_message_is_taken_as_the_line_without_its_trailing_newline()
    {
        Assert.Equal("Freezing user space processes", Parse(4).Message);
        Assert.Equal("t=2025-03-11T16:06:51+0100 lvl=info msg=end pg=/api/tunnels/cleep id=df87d3495ef29edf status=404 dur=896.662µs", Parse(8).Message);
        Assert.Equal("[init] Running as uid=0 gid=0", Parse(Edit(4, e => e["MESSAGE"] = "[init] Running as uid=0 gid=0\n")).Message);
        Assert.Equal("", Parse(Edit(4, e => e.Remove("MESSAGE"))).Message);
    }

    [Fact]
    public void A_field_given_more_than_once_counts_with_its_first_value_and_a_null_one_not_at_all()
    {
        var twice = Parse(Edit(4, e =>
        {
            e["MESSAGE"] = new JsonArray("first", "second");
            e["_HOSTNAME"] = new JsonArray(new JsonArray(117, 113), new JsonArray(120));
        }));
        Assert.Equal("first", twice.Message);
        Assert.Equal("uq", twice.Fields["hostname"]);

        // Without --all journalctl prints null for a value over 4096 bytes.
        var tooLong = Parse(Edit(4, e =>
        {
            e["MESSAGE"] = null;
            e["_HOSTNAME"] = null;
        }));
        Assert.Equal("", tooLong.Message);
        Assert.False(tooLong.Fields.ContainsKey("hostname"));
    }

    [Fact]
    public void Fields_keep_where_the_line_came_from_named_in_lower_case()
    {
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["pid"] = "30994",
                ["uid"] = "0",
                ["gid"] = "0",
                ["comm"] = "ngrok",
                ["exe"] = "/var/opt/cleep/modules/bin/ngrok/ngrok",
                ["cmdline"] = "/var/opt/cleep/modules/bin/ngrok/ngrok service run --config /var/opt/cleep/modules/bin/ngrok/ngrok.yml",
                ["hostname"] = "cleepdev4",
                ["boot_id"] = "488458ece6654edebf681e0a39e4836d",
                ["transport"] = "syslog",
                ["syslog_identifier"] = "ngrok",
                ["systemd_unit"] = "ngrok.service",
            },
            Parse(5).Fields);

        // A kernel line has no process; pulseaudio's says where in its code it was written.
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["hostname"] = "uqbar",
                ["boot_id"] = "fc012286cb7f4b12898f5bbbef8b2f04",
                ["transport"] = "kernel",
                ["syslog_identifier"] = "kernel",
                ["syslog_facility"] = "0",
            },
            Parse(4).Fields);
        var pulseaudio = Parse(2).Fields;
        Assert.Equal(("user@1000.service", "pulseaudio.service"), (pulseaudio["systemd_unit"], pulseaudio["systemd_user_unit"]));
        Assert.Equal(("../pulseaudio/src/modules/bluetooth/backend-native.c", "658", "hfp_rfcomm_handle"), (pulseaudio["code_file"], pulseaudio["code_line"], pulseaudio["code_func"]));
        Assert.DoesNotContain("audit_loginuid", pulseaudio.Keys);
        Assert.DoesNotContain("pulse_backtrace", pulseaudio.Keys);
    }

    [Fact]
    public void A_message_longer_than_the_longest_line_is_cut_at_a_character_boundary_and_marked_as_files_are()
    {
        // Exactly the limit, its last character two bytes: kept whole.
        var limit = new string('x', MaxBytes - 2) + "ü";
        // One byte more before it: the limit falls inside "ü", which goes with the rest.
        var longer = new string('x', MaxBytes - 1) + "ü and more";

        var whole = Parse(Edit(4, e => e["MESSAGE"] = limit));
        var cut = Parse(Edit(4, e => e["MESSAGE"] = longer));

        Assert.Equal(limit, whole.Message);
        Assert.False(whole.Fields.ContainsKey("truncated"));
        Assert.Equal(new string('x', MaxBytes - 1), cut.Message);
        Assert.Equal("true", cut.Fields["truncated"]);
        Assert.Equal(Parse(4).Fields.Count + 1, cut.Fields.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-- No entries --")]
    [InlineData("Failed to seek to cursor: Invalid argument")]
    [InlineData("[1,2]")]
    [InlineData("\"MESSAGE\"")]
    [InlineData("null")]
    [InlineData("{\"__CURSOR\":\"s=1\",\"__REALTIME_TIMESTAMP\":\"1732044218077593\",\"MESSAGE\":\"cut")]
    public void Lines_that_are_no_entry_give_none(string line) => Assert.Null(JournalJson.Parse(line, MaxBytes));

    [Fact]
    public void Entries_without_a_cursor_or_a_usable_time_give_none()
    {
        Assert.Null(JournalJson.Parse(Recorded[4][..200], MaxBytes));
        Assert.Null(JournalJson.Parse(Edit(4, e => e.Remove("__CURSOR")), MaxBytes));
        Assert.Null(JournalJson.Parse(Edit(4, e => e["__CURSOR"] = ""), MaxBytes));
        Assert.Null(JournalJson.Parse(Edit(4, e => e["__CURSOR"] = 5), MaxBytes));
        Assert.Null(JournalJson.Parse(Edit(4, e => e.Remove("__REALTIME_TIMESTAMP")), MaxBytes));
        foreach (var time in new[] { "yesterday", "-5", "1.5", "99999999999999999999", "300000000000000000" })
            Assert.Null(JournalJson.Parse(Edit(4, e => e["__REALTIME_TIMESTAMP"] = time), MaxBytes));
    }

    private static LogEntry Parse(int recorded) => Parse(Recorded[recorded]);

    private static LogEntry Parse(string line) => JournalJson.Parse(line, MaxBytes)?.Entry ?? throw new JsonException($"not an entry: {line}");

    private static string Edit(int recorded, Action<JsonObject> edit) => Edit(Recorded[recorded], edit);

    private static string Edit(string line, Action<JsonObject> edit)
    {
        var entry = JsonNode.Parse(line)!.AsObject();
        edit(entry);
        return entry.ToJsonString();
    }
}
