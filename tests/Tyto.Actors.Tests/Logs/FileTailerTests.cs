using System.Text;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Logs;

/// <summary>The file tailer on real files in a temp folder, each poll called explicitly.</summary>
public sealed class FileTailerTests : IDisposable
{
    private readonly LogFiles _logs = new();

    public void Dispose() => _logs.Dispose();

    [Fact]
    public void A_file_there_at_the_first_poll_starts_at_its_end_then_each_appended_line_comes_once()
    {
        _logs.Append("app.log", "old 1\nold 2\n");
        using var tailer = _logs.Tailer("app.log");

        Assert.Empty(LogFiles.Messages(tailer));
        _logs.Append("app.log", "new 1\nnew 2\n");
        var batch = tailer.Poll(100);
        _logs.Append("app.log", "new 3\n");

        Assert.Equal(["new 1", "new 2"], batch.Entries.Select(e => e.Message));
        Assert.False(batch.More);
        var entry = batch.Entries[0];
        Assert.Equal(LogSourceKind.File, entry.Source);
        Assert.Equal(_logs.PathOf("app.log"), entry.SourceName);
        Assert.Equal(LogSeverity.Info, entry.Level);
        Assert.Equal(_logs.Time.GetUtcNow().UtcDateTime, entry.Timestamp);
        Assert.Equal(DateTimeKind.Utc, entry.Timestamp.Kind);
        Assert.Empty(entry.Fields);
        Assert.Equal(["new 3"], LogFiles.Messages(tailer));
        Assert.Empty(LogFiles.Messages(tailer));
        Assert.Empty(tailer.Problems);
    }

    [Fact]
    public void A_partial_last_line_waits_for_its_newline_and_crlf_ends_a_line_too()
    {
        _logs.Append("app.log", "");
        using var tailer = _logs.Tailer("app.log");
        tailer.Poll(100);

        _logs.Append("app.log", "first\r\nsec");
        Assert.Equal(["first"], LogFiles.Messages(tailer));
        var waiting = Assert.Single(tailer.Positions);
        Assert.Equal("first\r\n".Length, waiting.Offset);
        _logs.Append("app.log", "ond");
        Assert.Empty(LogFiles.Messages(tailer));
        _logs.Append("app.log", "\r\n\nthird\n");

        Assert.Equal(["second", "", "third"], LogFiles.Messages(tailer));
        Assert.Equal(new FileInfo(_logs.PathOf("app.log")).Length, Assert.Single(tailer.Positions).Offset);
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_cut_at_a_character_boundary_and_marked_even_when_it_arrives_in_pieces()
    {
        _logs.Append("app.log", "");
        using var tailer = _logs.Tailer("app.log");
        tailer.Poll(100);
        // "é" is two bytes: the one at the limit would be split, so the cut comes before it.
        var head = new string('a', LogFiles.MaxLineBytes - 1);
        _logs.Append("app.log", head + "é");
        Assert.Empty(LogFiles.Messages(tailer));
        _logs.Append("app.log", new string('b', 3 * 64 * 1024));
        Assert.Empty(LogFiles.Messages(tailer));
        _logs.Append("app.log", "tail\nnext line\n");

        var entries = tailer.Poll(100).Entries;

        Assert.Equal(2, entries.Count);
        Assert.Equal(head, entries[0].Message);
        Assert.Equal("true", entries[0].Fields["truncated"]);
        Assert.Equal("next line", entries[1].Message);
        Assert.Empty(entries[1].Fields);
    }

    [Fact]
    public void A_line_of_exactly_the_limit_is_whole_with_or_without_its_carriage_return()
    {
        _logs.Append("app.log", "");
        using var tailer = _logs.Tailer("app.log");
        tailer.Poll(100);
        var limit = new string('x', LogFiles.MaxLineBytes - 2) + "ü";
        Assert.Equal(LogFiles.MaxLineBytes, Encoding.UTF8.GetByteCount(limit));
        _logs.Append("app.log", $"{limit}\r\n{limit}\n{limit}y\n");

        var entries = tailer.Poll(100).Entries;

        Assert.Equal([limit, limit, limit], entries.Select(e => e.Message));
        Assert.Equal([false, false, true], entries.Select(e => e.Fields.ContainsKey("truncated")));
    }

    [Fact]
    public void Rotation_by_rename_and_create_follows_the_renamed_file_while_it_is_written_then_the_new_one_from_its_start()
    {
        _logs.Append("app.log", "");
        using var tailer = _logs.Tailer("app.log");
        tailer.Poll(100);
        _logs.Append("app.log", "before 1\n");
        Assert.Equal(["before 1"], LogFiles.Messages(tailer));
        _logs.Append("app.log", "before 2\nunfin");

        File.Move(_logs.PathOf("app.log"), _logs.PathOf("app.log.1"));
        Assert.Equal(["before 2"], LogFiles.Messages(tailer));
        Assert.Equal([$"{_logs.PathOf("app.log")} cannot be read: No such file or directory"], tailer.Problems);
        // The program writes into the file it has open until it reopens its log.
        _logs.Append("app.log.1", "ished\n");
        Assert.Equal(["unfinished"], LogFiles.Messages(tailer));
        _logs.Append("app.log", "after 1\n");
        _logs.Append("app.log.1", "last, without a newline");
        Assert.Equal(["after 1"], LogFiles.Messages(tailer));
        Assert.Equal(2, tailer.Positions.Count);

        _logs.Time.Advance(FileTailer.RotateWait);

        Assert.Equal(["last, without a newline"], LogFiles.Messages(tailer));
        Assert.Equal(_logs.PathOf("app.log"), Assert.Single(tailer.Positions).Path);
        Assert.Empty(tailer.Problems);
    }

    [Fact]
    public void The_renamed_files_last_lines_come_before_the_new_file_created_in_the_same_interval()
    {
        _logs.Append("app.log", "");
        using var tailer = _logs.Tailer("app.log");
        tailer.Poll(100);
        _logs.Append("app.log", "old 1\nold 2\n");
        File.Move(_logs.PathOf("app.log"), _logs.PathOf("app.log.1"));
        _logs.Append("app.log", "new 1\n");

        var first = tailer.Poll(1);
        var rest = LogFiles.Messages(tailer);

        Assert.Equal(["old 1"], first.Entries.Select(e => e.Message));
        Assert.True(first.More);
        Assert.Equal(["old 2", "new 1"], rest);
    }

    [Fact]
    public void A_file_truncated_in_place_is_read_again_from_its_start()
    {
        _logs.Append("app.log", "");
        using var tailer = _logs.Tailer("app.log");
        tailer.Poll(100);
        _logs.Append("app.log", "a long line before the truncation\n");
        Assert.Single(LogFiles.Messages(tailer));

        using (var file = new FileStream(_logs.PathOf("app.log"), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            file.SetLength(0);
        _logs.Append("app.log", "short\n");

        Assert.Equal(["short"], LogFiles.Messages(tailer));
        Assert.Equal("short\n".Length, Assert.Single(tailer.Positions).Offset);
    }

    [Fact]
    public void A_restored_position_resumes_with_no_line_lost_and_none_twice()
    {
        _logs.Append("app.log", "");
        IReadOnlyList<FilePosition> stored;
        using (var before = _logs.Tailer("app.log"))
        {
            before.Poll(100);
            _logs.Append("app.log", "seen 1\nseen 2\nnot yet");
            Assert.Equal(["seen 1", "seen 2"], LogFiles.Messages(before));
            stored = before.Positions;
        }
        _logs.Append("app.log", " seen\nwhile down\n");

        using var after = _logs.Tailer("app.log", stored);

        Assert.Equal(["not yet seen", "while down"], LogFiles.Messages(after));
        _logs.Append("app.log", "later\n");
        Assert.Equal(["later"], LogFiles.Messages(after));
    }

    [Fact]
    public void A_position_handed_back_twice_counts_once()
    {
        _logs.Append("app.log", "");
        IReadOnlyList<FilePosition> stored;
        using (var before = _logs.Tailer("app.log"))
        {
            before.Poll(100);
            stored = before.Positions;
        }
        _logs.Append("app.log", "while down\n");

        using var after = _logs.Tailer("app.log", [.. stored, .. stored]);

        Assert.Equal(["while down"], LogFiles.Messages(after));
    }

    [Fact]
    public void After_a_restore_a_file_that_appeared_beside_the_followed_ones_starts_at_its_beginning_and_one_of_a_new_pattern_at_its_end()
    {
        _logs.Append("app/today.log", "");
        IReadOnlyList<FilePosition> stored;
        using (var before = _logs.Tailer("app/*.log"))
        {
            before.Poll(100);
            stored = before.Positions;
        }
        _logs.Append("app/tomorrow.log", "written while down\n");
        _logs.Append("other/old.log", "there before it was watched\n");

        using var after = new FileTailer([_logs.PathOf("app/*.log"), _logs.PathOf("other/*.log")], LogFiles.MaxLineBytes, _logs.Time, stored);

        Assert.Equal(["written while down"], LogFiles.Messages(after));
        _logs.Append("other/old.log", "watched now\n");
        Assert.Equal(["watched now"], LogFiles.Messages(after));
    }

    [Fact]
    public void A_position_restored_from_a_partial_poll_gives_the_rest()
    {
        _logs.Append("app.log", "");
        IReadOnlyList<FilePosition> stored;
        using (var before = _logs.Tailer("app.log"))
        {
            before.Poll(100);
            _logs.Append("app.log", string.Concat(Enumerable.Range(1, 5).Select(i => $"line {i}\n")));
            var batch = before.Poll(2);
            Assert.Equal(["line 1", "line 2"], batch.Entries.Select(e => e.Message));
            Assert.True(batch.More);
            stored = before.Positions;
        }

        using var after = _logs.Tailer("app.log", stored);
        var first = after.Poll(2);
        var second = after.Poll(2);

        Assert.Equal(["line 3", "line 4"], first.Entries.Select(e => e.Message));
        Assert.True(first.More);
        Assert.Equal(["line 5"], second.Entries.Select(e => e.Message));
        Assert.False(second.More);
    }

    [Fact]
    public void A_file_renamed_while_down_is_found_by_its_inode_and_one_put_in_its_place_is_read_from_its_start()
    {
        _logs.Append("app.log", "");
        IReadOnlyList<FilePosition> stored;
        using (var before = _logs.Tailer("*.log"))
        {
            before.Poll(100);
            _logs.Append("app.log", "seen\n");
            Assert.Equal(["seen"], LogFiles.Messages(before));
            stored = before.Positions;
        }
        _logs.Append("app.log", "after the last poll\n");
        File.Move(_logs.PathOf("app.log"), _logs.PathOf("app-1.log"));
        _logs.Append("app.log", "in the new file\n");

        using var after = _logs.Tailer("*.log", stored);
        var entries = after.Poll(100).Entries;

        Assert.Equal(
            [(_logs.PathOf("app-1.log"), "after the last poll"), (_logs.PathOf("app.log"), "in the new file")],
            entries.Select(e => (e.SourceName, e.Message)).Order());
    }

    [Fact]
    public void A_file_that_shrank_while_down_is_read_from_its_start()
    {
        _logs.Append("app.log", "");
        IReadOnlyList<FilePosition> stored;
        using (var before = _logs.Tailer("app.log"))
        {
            before.Poll(100);
            _logs.Append("app.log", "a line before the restart\n");
            LogFiles.Messages(before);
            stored = before.Positions;
        }
        File.WriteAllText(_logs.PathOf("app.log"), "new\n");

        using var after = _logs.Tailer("app.log", stored);

        Assert.Equal(["new"], LogFiles.Messages(after));
    }

    [Fact]
    public void A_glob_picks_up_a_file_created_later_and_reads_it_from_its_start()
    {
        _logs.Append("web/access.log", "there before\n");
        using var tailer = _logs.Tailer("**/*.log");
        Assert.Empty(LogFiles.Messages(tailer));

        _logs.Append("web/error.log", "first line of a new file\n");
        _logs.Append("db/slow.log", "in a new folder\n");
        _logs.Append("web/access.txt", "not matched\n");
        var entries = tailer.Poll(100).Entries;

        Assert.Equal(
            [(_logs.PathOf("db/slow.log"), "in a new folder"), (_logs.PathOf("web/error.log"), "first line of a new file")],
            entries.Select(e => (e.SourceName, e.Message)).Order());
        Assert.Equal([_logs.PathOf("db/slow.log"), _logs.PathOf("web/access.log"), _logs.PathOf("web/error.log")], tailer.Positions.Select(p => p.Path));
    }

    [Fact]
    public void A_file_renamed_within_the_patterns_keeps_its_reading_and_is_not_read_twice()
    {
        _logs.Append("app.log", "");
        using var tailer = _logs.Tailer("app.log*");
        tailer.Poll(100);
        _logs.Append("app.log", "one\n");
        Assert.Equal(["one"], LogFiles.Messages(tailer));

        File.Move(_logs.PathOf("app.log"), _logs.PathOf("app.log.1"));
        _logs.Append("app.log.1", "two\n");
        _logs.Append("app.log", "three\n");
        var entries = tailer.Poll(100).Entries;

        Assert.Equal([(_logs.PathOf("app.log"), "three"), (_logs.PathOf("app.log.1"), "two")], entries.Select(e => (e.SourceName, e.Message)).Order());
    }

    [Fact]
    public void A_deleted_file_is_read_to_its_end_and_let_go()
    {
        _logs.Append("a.log", "");
        using var tailer = _logs.Tailer("*.log");
        tailer.Poll(100);
        _logs.Append("a.log", "last words\n");

        File.Delete(_logs.PathOf("a.log"));

        Assert.Equal(["last words"], LogFiles.Messages(tailer));
        Assert.Equal([$"{_logs.PathOf("*.log")} matches no file"], tailer.Problems);
        Assert.Single(tailer.Positions);
        _logs.Time.Advance(FileTailer.RotateWait);
        Assert.Empty(LogFiles.Messages(tailer));
        Assert.Empty(tailer.Positions);
    }

    [Fact]
    public void Missing_files_folders_and_unmatched_globs_are_reported_not_thrown()
    {
        Directory.CreateDirectory(_logs.PathOf("folder.log"));
        using var tailer = new FileTailer(
            [_logs.PathOf("missing.log"), _logs.PathOf("folder.log"), _logs.PathOf("none/*.log")],
            LogFiles.MaxLineBytes,
            _logs.Time);

        Assert.Empty(tailer.Poll(100).Entries);

        Assert.Equal(
            [
                $"{_logs.PathOf("missing.log")} cannot be read: No such file or directory",
                $"{_logs.PathOf("folder.log")} is not a regular file",
                $"{_logs.PathOf("none/*.log")} matches no file",
            ],
            tailer.Problems);
    }
}
