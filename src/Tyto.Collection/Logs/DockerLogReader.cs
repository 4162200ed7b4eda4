using System.Collections.ObjectModel;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;

namespace Tyto.Collection.Logs;

/// <summary>
/// Follows the logs of the host's containers through the Docker Engine API on its Unix socket, one long-lived
/// <c>/containers/{id}/logs?follow=1&amp;stdout=1&amp;stderr=1&amp;timestamps=1&amp;since=…</c> response per container, read
/// in the background into a buffer of <see cref="Buffer"/> lines that <see cref="Read"/> drains; while the buffer is
/// full no response is read further, and the engine keeps what it has not sent. The container list is read when
/// <see cref="Read"/> finds <paramref name="refresh"/> has passed since the last time: containers that started are
/// followed from then on, those that stopped are let go once their last lines have been handed out (the engine ends a
/// stopped container's response itself), a response that ended while its container still runs is taken up again.
/// </summary>
/// <remarks>
/// Where each container starts: from the mark <paramref name="position"/> has for it; without one, from now when the
/// reader has never run before (no position at all) and the container is running at the first listing, else from
/// the container's <c>State.StartedAt</c> (it started after the reader, or while Tyto was down). A container that is
/// stopped but has a mark is read once to its end, for what it wrote after the mark. Entries: the engine's time of the
/// line, the container's name without its <c>/</c>, the level the line names (<see cref="LogLine"/>), else
/// <c>error</c> for stderr and <c>info</c> for stdout, and the fields <c>container_id</c> (12 characters),
/// <c>image</c>, <c>stream</c> and, for a line cut to <paramref name="maxLineBytes"/>, <c>truncated</c>.
/// </remarks>
public sealed class DockerLogReader(string socket, TimeSpan timeout, TimeSpan refresh, int maxLineBytes, string? position, TimeProvider time) : ILogReader
{
    /// <summary>The most lines read from the engine and not yet taken by <see cref="Read"/>.</summary>
    public const int Buffer = 10_000;

    private const int ChunkBytes = 16 * 1024;

    // The timeout covers a request until its headers; a followed response is read for as long as it lasts.
    private readonly HttpClient _http = DockerEngine.Client(socket, timeout);

    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Channel<BufferedLine> _lines = System.Threading.Channels.Channel.CreateBounded<BufferedLine>(
        new BoundedChannelOptions(Buffer) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>The containers being followed (or whose lines are still in the buffer), by full id.</summary>
    private readonly Dictionary<string, Container> _containers = new(StringComparer.Ordinal);

    /// <summary>Where each container stands after the lines handed out: the position.</summary>
    private readonly Dictionary<string, DockerLogMark> _handed =
        (position is null ? null : DockerLogPosition.Parse(position)) ?? new Dictionary<string, DockerLogMark>(StringComparer.Ordinal);

    /// <summary>Whether the reader was given a position, so it ran before: no container starts from now.</summary>
    private readonly bool _resumed = position is not null;

    private bool _listed;
    private bool _refreshing;
    private DateTimeOffset _nextRefresh = DateTimeOffset.MinValue;
    private string? _listProblem;
    private bool _disposed;

    public LogSourceKind Kind => LogSourceKind.Docker;

    /// <summary>Why containers' logs are not read right now (no socket, the list cannot be read, one container's logs fail), or null.</summary>
    public string? Problem
    {
        get
        {
            lock (_gate)
                return _listProblem ?? _containers.Values.Select(c => c.Problem).FirstOrDefault(p => p is not null);
        }
    }

    public LogRead Read(int max)
    {
        lock (_gate)
        {
            if (_disposed)
                return new LogRead([], null, false);
            if (!_refreshing && time.GetUtcNow() >= _nextRefresh)
            {
                _refreshing = true;
                _nextRefresh = time.GetUtcNow() + refresh;
                _ = Task.Run(RefreshAsync);
            }
        }
        var entries = new List<LogEntry>();
        while (entries.Count < max && _lines.Reader.TryRead(out var line))
        {
            entries.Add(line.Entry);
            lock (_gate)
            {
                _handed[line.Container.Id] = _handed.TryGetValue(line.Container.Id, out var mark) ? mark.After(line.Nanos) : new DockerLogMark(line.Nanos, 1);
                line.Container.Pending--;
            }
        }
        lock (_gate)
            return new LogRead(entries, _listed || _resumed ? DockerLogPosition.Format(_handed) : null, max > 0 && entries.Count == max);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        _stop.Cancel();
        // A follower waiting for room in the buffer gives up; what is left in it was never handed out, so never persisted.
        _lines.Writer.TryComplete();
        _http.Dispose();
        _stop.Dispose();
    }

    /// <summary>Reads the container list; starts following the containers not followed yet, lets go of those gone.</summary>
    private async Task RefreshAsync()
    {
        try
        {
            if (await ListAsync() is not { } listed)
                return;
            List<Container> resumed = [];
            List<ListedContainer> added = [];
            lock (_gate)
            {
                if (_disposed)
                    return;
                var first = !_listed;
                _listed = true;
                _listProblem = null;
                var running = listed.Where(c => c.Running).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
                foreach (var container in _containers.Values.Where(c => c.Following is null && c.Pending == 0 && !running.Contains(c.Id)).ToList())
                {
                    _containers.Remove(container.Id);
                    _handed.Remove(container.Id);
                }
                var known = listed.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
                foreach (var removed in _handed.Keys.Where(id => !known.Contains(id) && !_containers.ContainsKey(id)).ToList())
                    _handed.Remove(removed);
                foreach (var container in listed)
                {
                    if (_containers.TryGetValue(container.Id, out var followed))
                    {
                        if (followed.Following is null && container.Running)
                            resumed.Add(followed);
                    }
                    else if (container.Running || _handed.ContainsKey(container.Id))
                        added.Add(container with { FromNow = first && !_resumed && !_handed.ContainsKey(container.Id) });
                }
                foreach (var container in resumed)
                    Follow(container);
            }
            foreach (var container in added)
                await AddAsync(container);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // Disposed while the list or a container was being read.
        }
        finally
        {
            lock (_gate)
                _refreshing = false;
        }
    }

    /// <summary>The containers of the engine, running or not; null (and a problem) when the list cannot be read.</summary>
    private async Task<List<ListedContainer>?> ListAsync()
    {
        string? problem;
        if (!File.Exists(socket))
            problem = $"No Docker socket at {socket}";
        else
        {
            try
            {
                var listed = await _http.GetFromJsonAsync<List<ContainerSummary>>("containers/json?all=1", _stop.Token) ?? [];
                return listed
                    .Where(c => c.Id is not null)
                    .Select(c => new ListedContainer(c.Id!, c.Names is [var name, ..] ? name.TrimStart('/') : c.Id!, c.Image ?? "", c.State == "running", false))
                    .ToList();
            }
            catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AccessDenied })
            {
                problem = $"Permission denied on {socket}: add the user Tyto runs as to the docker group";
            }
            catch (HttpRequestException e)
            {
                problem = $"The Docker engine on {socket} cannot be read: {e.Message}";
            }
            catch (TaskCanceledException) when (!_stop.IsCancellationRequested)
            {
                problem = $"The Docker engine on {socket} did not answer within {_http.Timeout.TotalSeconds:0.#} s";
            }
            catch (JsonException e)
            {
                problem = $"The Docker engine on {socket} sent a container list Tyto cannot read: {e.Message}";
            }
        }
        lock (_gate)
            _listProblem = problem;
        return null;
    }

    /// <summary>Inspects a container new to the reader (TTY or not, when it started) and follows it from where it starts.</summary>
    private async Task AddAsync(ListedContainer listed)
    {
        Inspected? inspected;
        try
        {
            using var response = await _http.GetAsync($"containers/{listed.Id}/json", _stop.Token);
            // Removed since the list was read.
            if (response.StatusCode == HttpStatusCode.NotFound)
                return;
            response.EnsureSuccessStatusCode();
            inspected = await response.Content.ReadFromJsonAsync<Inspected>(_stop.Token);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !_stop.IsCancellationRequested))
        {
            lock (_gate)
                _listProblem = $"The Docker engine on {socket} cannot describe {listed.Name}: {e.Message}";
            return;
        }
        var start = listed.FromNow || inspected?.State?.StartedAt is not { } started || !DockerTime.TryParse(started, out var startedAt)
            ? DockerTime.FromDateTimeOffset(time.GetUtcNow())
            : startedAt;
        lock (_gate)
        {
            if (_disposed || _containers.ContainsKey(listed.Id))
                return;
            if (!_handed.TryGetValue(listed.Id, out var mark))
                _handed[listed.Id] = mark = new DockerLogMark(start, 0);
            var container = new Container(listed.Id, listed.Name, listed.Image, inspected?.Config?.Tty ?? false, mark);
            _containers[listed.Id] = container;
            Follow(container);
        }
    }

    /// <summary>Starts reading the container's logs after the last line put in the buffer. Called under the lock.</summary>
    private void Follow(Container container)
    {
        container.Problem = null;
        container.Following = Task.Run(() => FollowAsync(container, container.Read));
    }

    /// <summary>Reads one logs response into the buffer until it ends (the container stopped) or the reader is disposed.</summary>
    private async Task FollowAsync(Container container, DockerLogMark after)
    {
        try
        {
            using var response = await _http.GetAsync(
                $"containers/{container.Id}/logs?follow=1&stdout=1&stderr=1&timestamps=1&since={DockerTime.Since(after.Nanos)}",
                HttpCompletionOption.ResponseHeadersRead,
                _stop.Token);
            // Removed since the list was read.
            if (response.StatusCode == HttpStatusCode.NotFound)
                return;
            if (!response.IsSuccessStatusCode)
            {
                // A logging driver the engine cannot read back (none, or a remote one without dual logging): 501.
                var refusal = await RefusalAsync(response);
                lock (_gate)
                    container.Problem = $"The logs of {container.Name} cannot be read: {refusal}";
                return;
            }
            await using var body = await response.Content.ReadAsStreamAsync(_stop.Token);
            await ReadAsync(container, after, body);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !_stop.IsCancellationRequested))
        {
            lock (_gate)
                container.Problem = $"The logs of {container.Name} cannot be read: {e.Message}";
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException or ObjectDisposedException)
        {
            // Disposed.
        }
        finally
        {
            lock (_gate)
                container.Following = null;
        }
    }

    private async Task ReadAsync(Container container, DockerLogMark after, Stream body)
    {
        var stream = new DockerLogStream(container.Tty, maxLineBytes, time);
        var chunk = new byte[ChunkBytes];
        var lines = new List<DockerLine>();
        // The engine's since includes lines at its time: those already read (after.Lines of them) come again.
        var skip = after.Lines;
        int read;
        do
        {
            read = await body.ReadAsync(chunk, _stop.Token);
            if (read > 0)
                stream.Feed(chunk.AsSpan(0, read), lines);
            else
                stream.Finish(lines);
            foreach (var line in lines)
            {
                if (line.Nanos < after.Nanos || (line.Nanos == after.Nanos && skip-- > 0))
                    continue;
                lock (_gate)
                {
                    container.Read = container.Read.After(line.Nanos);
                    container.Pending++;
                }
                await _lines.Writer.WriteAsync(new BufferedLine(container, line.Nanos, container.Entry(line)), _stop.Token);
            }
            lines.Clear();
        }
        while (read > 0);
        if (stream.EngineError is { } error)
        {
            lock (_gate)
                container.Problem = $"The Docker engine could not read the logs of {container.Name}: {error}";
        }
    }

    /// <summary>Why the engine refused a request: the <c>message</c> of its error body, else the status.</summary>
    private async Task<string> RefusalAsync(HttpResponseMessage response)
    {
        try
        {
            if (await response.Content.ReadFromJsonAsync<EngineError>(_stop.Token) is { Message.Length: > 0 } error)
                return error.Message;
        }
        catch (JsonException)
        {
            // Not the engine's JSON error body.
        }
        return $"{(int)response.StatusCode} {response.ReasonPhrase}";
    }

    /// <summary>A followed container: what its entries say of it, where reading it stands, and its response being read.</summary>
    private sealed class Container(string id, string name, string image, bool tty, DockerLogMark read)
    {
        private readonly IReadOnlyDictionary<string, string>[] _fields =
        [
            Fields(id, image, DockerStream.Stdout, truncated: false),
            Fields(id, image, DockerStream.Stderr, truncated: false),
            Fields(id, image, DockerStream.Stdout, truncated: true),
            Fields(id, image, DockerStream.Stderr, truncated: true),
        ];

        public string Id => id;

        public string Name => name;

        public bool Tty => tty;

        /// <summary>Where reading stands after the lines put in the buffer: where a new response starts.</summary>
        public DockerLogMark Read { get; set; } = read;

        /// <summary>Lines in the buffer not handed out yet.</summary>
        public int Pending { get; set; }

        /// <summary>The response being read, or null when none is (it ended, or failed).</summary>
        public Task? Following { get; set; }

        public string? Problem { get; set; }

        public LogEntry Entry(DockerLine line) => new(
            DockerTime.ToDateTime(line.Nanos),
            LogSourceKind.Docker,
            name,
            LogLine.Stated(line.Text).Level ?? (line.Stream == DockerStream.Stderr ? LogSeverity.Error : LogSeverity.Info),
            line.Text,
            _fields[(int)line.Stream + (line.Truncated ? 2 : 0)]);

        private static ReadOnlyDictionary<string, string> Fields(string id, string image, DockerStream stream, bool truncated)
        {
            var fields = new Dictionary<string, string>
            {
                ["container_id"] = id.Length > 12 ? id[..12] : id,
                ["image"] = image,
                ["stream"] = stream == DockerStream.Stderr ? "stderr" : "stdout",
            };
            if (truncated)
                LongLine.Mark(fields);
            return fields.AsReadOnly();
        }
    }

    private sealed record BufferedLine(Container Container, long Nanos, LogEntry Entry);

    /// <summary>A container in the list; fields are optional, as engines that mimic Docker's API may leave some out.</summary>
    private sealed record ContainerSummary(string? Id, IReadOnlyList<string>? Names, string? Image, string? State);

    private sealed record ListedContainer(string Id, string Name, string Image, bool Running, bool FromNow);

    /// <summary>What <c>/containers/{id}/json</c> says that matters here.</summary>
    private sealed record Inspected(InspectedState? State, InspectedConfig? Config);

    private sealed record InspectedState(string? StartedAt);

    private sealed record InspectedConfig(bool Tty);

    /// <summary>The body of an engine's error answer: <c>{"message":"…"}</c>.</summary>
    private sealed record EngineError(string? Message);
}
