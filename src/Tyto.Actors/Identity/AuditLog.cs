using LinqToDB;
using LinqToDB.Async;
using LinqToDB.Mapping;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Identity;

/// <summary>
/// A row of the <c>audit_log</c> table: one state-changing request, or the failed sign-ins of one username from one
/// address within a window. Never holds passwords or tokens.
/// </summary>
[Table("audit_log")]
public sealed class AuditRecord
{
    public const int UsernameLength = 64;
    public const int ActionLength = 200;
    public const int TargetLength = 200;
    public const int AddressLength = 64;

    [PrimaryKey, Identity, Column("id")]
    public long Id { get; set; }

    [Column("at"), NotNull]
    public DateTime At { get; set; }

    [Column("user_id", Length = 36), Nullable]
    public string? UserId { get; set; }

    /// <summary>The signed-in user, or the username a login or registration was attempted for.</summary>
    [Column("username", Length = UsernameLength), Nullable]
    public string? Username { get; set; }

    /// <summary>Method and route, such as <c>DELETE /api/v1/users/{id}</c>.</summary>
    [Column("action", Length = ActionLength), NotNull]
    public string Action { get; set; } = "";

    /// <summary>The route values naming what was acted on, such as <c>id=…</c>.</summary>
    [Column("target", Length = TargetLength), Nullable]
    public string? Target { get; set; }

    [Column("status"), NotNull]
    public int Status { get; set; }

    /// <summary><c>success</c>, <c>denied</c> (401/403/429) or <c>failure</c>.</summary>
    [Column("outcome", Length = 16), NotNull]
    public string Outcome { get; set; } = "";

    [Column("client_address", Length = AddressLength), Nullable]
    public string? ClientAddress { get; set; }

    /// <summary>How many requests the row stands for: more than one only for failed sign-ins.</summary>
    [Column("count"), NotNull]
    public int Count { get; set; } = 1;

    /// <summary>Cuts every string to its column's length: SQLite does not, and clients choose them.</summary>
    internal void Bound()
    {
        Username = Cut(Username, UsernameLength);
        Action = Cut(Action, ActionLength)!;
        Target = Cut(Target, TargetLength);
        ClientAddress = Cut(ClientAddress, AddressLength);
    }

    private static string? Cut(string? value, int length) =>
        value is null || value.Length <= length ? value : value[..(char.IsHighSurrogate(value[length - 1]) ? length - 1 : length)];
}

/// <summary>A page of the audit log, newest first.</summary>
public sealed record AuditQuery(DateTime? From, DateTime? To, string? User, int Limit, int Offset);

/// <summary>The audit log of state-changing requests, in the same database as everything else.</summary>
public sealed class AuditLog(TytoDatabase database) : IDisposable
{
    public const int MaxLimit = 1000;

    private readonly SemaphoreSlim _failedSignIns = new(1, 1);

    public async Task WriteAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        record.Bound();
        await using var db = database.Open();
        await db.InsertAsync(record, token: cancellationToken);
    }

    /// <summary>
    /// Records a failed sign-in on the row of the same username and address begun within <paramref name="window"/>,
    /// so guessing adds a row per window and not one per guess.
    /// </summary>
    public async Task CountFailedSignInAsync(AuditRecord record, TimeSpan window, CancellationToken cancellationToken = default)
    {
        record.Bound();
        var since = record.At - window;
        await _failedSignIns.WaitAsync(cancellationToken);
        try
        {
            await using var db = database.Open();
            var counted = await db.GetTable<AuditRecord>()
                .Where(r => r.At > since && r.UserId == null && r.Action == record.Action && r.Status == record.Status &&
                            r.Username == record.Username && r.ClientAddress == record.ClientAddress)
                .Set(r => r.Count, r => r.Count + 1)
                .UpdateAsync(cancellationToken);
            if (counted == 0)
                await db.InsertAsync(record, token: cancellationToken);
        }
        finally
        {
            _failedSignIns.Release();
        }
    }

    public async Task<(IReadOnlyList<AuditRecord> Entries, int Total)> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var rows = db.GetTable<AuditRecord>().AsQueryable();
        if (query.From is { } from)
            rows = rows.Where(r => r.At >= from);
        if (query.To is { } to)
            rows = rows.Where(r => r.At <= to);
        if (!string.IsNullOrEmpty(query.User))
            rows = rows.Where(r => r.Username == query.User || r.UserId == query.User);
        var total = await rows.CountAsync(cancellationToken);
        var page = await rows.OrderByDescending(r => r.Id).Skip(query.Offset).Take(query.Limit).ToListAsync(cancellationToken);
        foreach (var row in page)
            row.At = DateTime.SpecifyKind(row.At, DateTimeKind.Utc);
        return (page, total);
    }

    /// <summary>Deletes the entries older than <paramref name="before"/>, at most <paramref name="batch"/> rows a statement.</summary>
    public async Task<int> PruneAsync(DateTime before, int batch, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var table = db.GetTable<AuditRecord>();
        var deleted = 0;
        int removed;
        do
        {
            var oldest = table.Where(r => r.At < before).OrderBy(r => r.Id).Select(r => r.Id).Take(batch);
            removed = await table.Where(r => oldest.Contains(r.Id)).DeleteAsync(cancellationToken);
            deleted += removed;
        }
        while (removed == batch);
        return deleted;
    }

    public void Dispose() => _failedSignIns.Dispose();
}
