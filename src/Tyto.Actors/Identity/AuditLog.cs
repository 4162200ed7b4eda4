using LinqToDB;
using LinqToDB.Async;
using LinqToDB.Mapping;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Identity;

/// <summary>A row of the <c>audit_log</c> table: one state-changing request. Never holds passwords or tokens.</summary>
[Table("audit_log")]
public sealed class AuditRecord
{
    [PrimaryKey, Identity, Column("id")]
    public long Id { get; set; }

    [Column("at"), NotNull]
    public DateTime At { get; set; }

    [Column("user_id", Length = 36), Nullable]
    public string? UserId { get; set; }

    /// <summary>The signed-in user, or the username a login or registration was attempted for.</summary>
    [Column("username", Length = 64), Nullable]
    public string? Username { get; set; }

    /// <summary>Method and route, such as <c>DELETE /api/v1/users/{id}</c>.</summary>
    [Column("action", Length = 200), NotNull]
    public string Action { get; set; } = "";

    /// <summary>The route values naming what was acted on, such as <c>id=…</c>.</summary>
    [Column("target", Length = 200), Nullable]
    public string? Target { get; set; }

    [Column("status"), NotNull]
    public int Status { get; set; }

    /// <summary><c>success</c>, <c>denied</c> (401/403/429) or <c>failure</c>.</summary>
    [Column("outcome", Length = 16), NotNull]
    public string Outcome { get; set; } = "";

    [Column("client_address", Length = 64), Nullable]
    public string? ClientAddress { get; set; }
}

/// <summary>A page of the audit log, newest first.</summary>
public sealed record AuditQuery(DateTime? From, DateTime? To, string? User, int Limit, int Offset);

/// <summary>The audit log of state-changing requests, in the same database as everything else.</summary>
public sealed class AuditLog(TytoDatabase database)
{
    public const int MaxLimit = 1000;

    public async Task WriteAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        await db.InsertAsync(record, token: cancellationToken);
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
}
