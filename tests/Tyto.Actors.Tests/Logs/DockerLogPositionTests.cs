using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Logs;

public sealed class DockerLogPositionTests
{
    [Theory]
    [InlineData("2015-06-25T18:10:22.916242788Z", 1435255822_916242788L)]
    [InlineData("2018-03-09T03:17:06.75984516Z", 1520565426_759845160L)]
    [InlineData("2015-11-20T21:10:34Z", 1448053834_000000000L)]
    [InlineData("2015-11-20T22:10:34.5+01:00", 1448053834_500000000L)]
    public void Engine_times_are_read_to_the_nanosecond(string text, long nanos)
    {
        Assert.True(DockerTime.TryParse(text, out var read));
        Assert.Equal(nanos, read);
    }

    [Theory]
    [InlineData("0001-01-01")]
    [InlineData("2015-06-25 18:10:22Z")]
    [InlineData("2015-06-25T18:10:22.9162427881Z")]
    [InlineData("2015-06-25T18:10:22.916")]
    [InlineData("bin")]
    public void Anything_else_is_no_engine_time(string text) => Assert.False(DockerTime.TryParse(text, out _));

    [Fact]
    public void Times_are_written_as_the_engine_writes_them_and_asked_for_as_since_takes_them()
    {
        var nanos = FakeContainerLog.Nanos("2018-03-09T03:17:06.75984516Z");

        Assert.Equal("2018-03-09T03:17:06.759845160Z", DockerTime.Format(nanos));
        Assert.Equal("1520565426.759845160", DockerTime.Since(nanos));
        Assert.Equal(new DateTime(2018, 3, 9, 3, 17, 6, DateTimeKind.Utc).AddTicks(7598451), DockerTime.ToDateTime(nanos));
    }

    [Fact]
    public void A_mark_counts_the_lines_read_at_its_time()
    {
        var mark = new DockerLogMark(100, 0);

        Assert.Equal(new DockerLogMark(100, 1), mark.After(100));
        Assert.Equal(new DockerLogMark(100, 3), mark.After(100).After(100).After(100));
        Assert.Equal(new DockerLogMark(101, 1), mark.After(100).After(101));
        // The end of a long line, finished after a later line of the other stream, does not move it back.
        Assert.Equal(new DockerLogMark(101, 1), mark.After(101).After(100));
    }

    [Fact]
    public void A_position_round_trips_as_json_by_container()
    {
        var marks = new Dictionary<string, DockerLogMark>
        {
            ["41833a61eecb28f0d1cc8abab484f496b0afcb7634c87cbaf6316c9982d17475"] = new(FakeContainerLog.Nanos("2015-06-25T18:10:22.916242788Z"), 2),
            ["2d1ab9546a4fe61e23ac62ed422dfa7ac3e410c68b2f3262471c6e40ca68045c"] = new(FakeContainerLog.Nanos("2018-03-09T03:17:06.75984516Z"), 0),
        };

        var text = DockerLogPosition.Format(marks);

        Assert.Equal(
            """{"2d1ab9546a4fe61e23ac62ed422dfa7ac3e410c68b2f3262471c6e40ca68045c":{"time":"2018-03-09T03:17:06.759845160Z","lines":0},"41833a61eecb28f0d1cc8abab484f496b0afcb7634c87cbaf6316c9982d17475":{"time":"2015-06-25T18:10:22.916242788Z","lines":2}}""",
            text);
        Assert.Equal(marks, DockerLogPosition.Parse(text));
    }

    [Theory]
    [InlineData("s=1;i=2")]
    [InlineData("[]")]
    [InlineData("""{"a":{"time":"yesterday","lines":1}}""")]
    [InlineData("""{"a":{"lines":1}}""")]
    [InlineData("""{"a":{"time":"2015-06-25T18:10:22Z","lines":-1}}""")]
    public void Another_text_is_no_position(string text) => Assert.Null(DockerLogPosition.Parse(text));
}
