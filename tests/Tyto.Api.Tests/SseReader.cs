using System.Text.Json;

namespace Tyto.Api.Tests;

/// <summary>One Server-Sent Event as received: its type (null for a comment) and data.</summary>
public sealed record ReceivedEvent(string? Type, string Data, string? Comment);

/// <summary>Reads a <c>text/event-stream</c> response event by event.</summary>
public sealed class SseReader(HttpResponseMessage response) : IAsyncDisposable
{
    private StreamReader? _reader;

    public static async Task<SseReader> OpenAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return new SseReader(response);
    }

    public HttpResponseMessage Response { get; } = response;

    public async Task<ReceivedEvent> NextAsync(CancellationToken cancellationToken)
    {
        _reader ??= new StreamReader(await Response.Content.ReadAsStreamAsync(cancellationToken));
        string? type = null;
        string? comment = null;
        var data = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("The stream ended");
            if (line.Length == 0)
            {
                if (type is null && data.Count == 0 && comment is null)
                    continue;
                return new ReceivedEvent(type, string.Join('\n', data), comment);
            }
            if (line.StartsWith(':'))
                comment = line[1..].Trim();
            else if (line.StartsWith("event:", StringComparison.Ordinal))
                type = line["event:".Length..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal))
                data.Add(line["data:".Length..].TrimStart());
        }
    }

    /// <summary>The next <c>metrics</c> event's sample.</summary>
    public Task<JsonElement> NextSampleAsync(CancellationToken cancellationToken) => NextOfTypeAsync("metrics", cancellationToken);

    /// <summary>The data of the next event of type <paramref name="type"/>.</summary>
    public async Task<JsonElement> NextOfTypeAsync(string type, CancellationToken cancellationToken)
    {
        while (true)
        {
            var received = await NextAsync(cancellationToken);
            if (received.Type == type)
                return JsonDocument.Parse(received.Data).RootElement.Clone();
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        Response.Dispose();
        return ValueTask.CompletedTask;
    }
}
