using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Logs;

public sealed class LogFilePatternTests
{
    [Theory]
    [InlineData("/var/log/app.log", "/var/log/app.log", true)]
    [InlineData("/var/log/app.log", "/var/log/app.log.1", false)]
    [InlineData("/var/log/*.log", "/var/log/syslog.log", true)]
    [InlineData("/var/log/*.log", "/var/log/App.LOG", false)]
    [InlineData("/var/log/*.log", "/var/log/nginx/access.log", false)]
    [InlineData("/var/log/**/*.log", "/var/log/nginx/access.log", true)]
    [InlineData("/var/log/*.log", "/srv/log/app.log", false)]
    public void A_pattern_names_the_paths_it_would_find_there_or_not(string pattern, string path, bool named) =>
        Assert.Equal(named, new LogFilePattern(pattern).Matches(path));
}
