namespace Tyto.Actors.Metrics;

/// <summary>A tier of history: raw samples, or buckets of one minute, five minutes or one hour.</summary>
public sealed class Resolution
{
    public static readonly Resolution Raw = new("raw", TimeSpan.Zero, "history_raw");
    public static readonly Resolution OneMinute = new("1m", TimeSpan.FromMinutes(1), "history_1m");
    public static readonly Resolution FiveMinutes = new("5m", TimeSpan.FromMinutes(5), "history_5m");
    public static readonly Resolution OneHour = new("1h", TimeSpan.FromHours(1), "history_1h");

    /// <summary>Finest first.</summary>
    public static readonly IReadOnlyList<Resolution> All = [Raw, OneMinute, FiveMinutes, OneHour];

    public static readonly IReadOnlyList<Resolution> Rollups = [OneMinute, FiveMinutes, OneHour];

    private Resolution(string name, TimeSpan width, string table)
    {
        Name = name;
        Width = width;
        Table = table;
    }

    public string Name { get; }

    /// <summary>The length of one bucket; zero for raw points.</summary>
    public TimeSpan Width { get; }

    public string Table { get; }

    public bool IsRaw => Width == TimeSpan.Zero;

    /// <summary>The start of the bucket that holds <paramref name="time"/>.</summary>
    public DateTime BucketOf(DateTime time) =>
        IsRaw ? time : new DateTime(time.Ticks - time.Ticks % Width.Ticks, DateTimeKind.Utc);

    public static Resolution? Parse(string name) => All.FirstOrDefault(r => r.Name == name);

    public override string ToString() => Name;
}

/// <summary>Sum, minimum, maximum and count of the values of one series in one bucket.</summary>
public readonly record struct Aggregate(double Sum, double Min, double Max, int Count)
{
    public double Avg => Count == 0 ? 0 : Sum / Count;

    public static Aggregate Of(double value) => new(value, value, value, 1);

    /// <summary>An aggregate as stored: its average rather than its sum.</summary>
    public static Aggregate FromStats(double avg, double min, double max, int count) => new(avg * count, min, max, count);

    public Aggregate Add(double value) => Count == 0 ? Of(value) : new(Sum + value, Math.Min(Min, value), Math.Max(Max, value), Count + 1);

    public Aggregate Merge(Aggregate other) =>
        Count == 0 ? other
        : other.Count == 0 ? this
        : new(Sum + other.Sum, Math.Min(Min, other.Min), Math.Max(Max, other.Max), Count + other.Count);
}

/// <summary>
/// Every series of one agent over one bucket of a resolution (for raw, one sample): avg, min, max and count.
/// Rollups accumulate into it as raw points arrive.
/// </summary>
public sealed class HistoryPoint
{
    public HistoryPoint(string agentId, DateTime timestamp, int samples, Aggregate[] series, Dictionary<LabelledSeries, Aggregate> labelled)
    {
        AgentId = agentId;
        Timestamp = timestamp;
        Samples = samples;
        Series = series;
        Labelled = labelled;
    }

    public string AgentId { get; }

    /// <summary>The start of the bucket, or the time of a raw sample.</summary>
    public DateTime Timestamp { get; }

    public int Samples { get; private set; }

    /// <summary>Indexed by <see cref="Metrics.Series"/>.</summary>
    public Aggregate[] Series { get; }

    public Dictionary<LabelledSeries, Aggregate> Labelled { get; }

    public Aggregate this[Series series] => Series[(int)series];

    public static HistoryPoint Empty(string agentId, DateTime timestamp) =>
        new(agentId, timestamp, 0, new Aggregate[RawPoint.SeriesCount], []);

    public static HistoryPoint Of(RawPoint point)
    {
        var result = Empty(point.AgentId, point.Timestamp);
        result.Add(point);
        return result;
    }

    public void Add(RawPoint point)
    {
        Samples++;
        for (var i = 0; i < Series.Length; i++)
            Series[i] = Series[i].Add(point.Values[i]);
        foreach (var (series, value) in point.Labelled)
            Labelled[series] = Labelled.GetValueOrDefault(series).Add(value);
    }

    public void Merge(HistoryPoint other)
    {
        Samples += other.Samples;
        for (var i = 0; i < Series.Length; i++)
            Series[i] = Series[i].Merge(other.Series[i]);
        foreach (var (series, aggregate) in other.Labelled)
            Labelled[series] = Labelled.GetValueOrDefault(series).Merge(aggregate);
    }

    public HistoryPoint Copy() => new(AgentId, Timestamp, Samples, [.. Series], new Dictionary<LabelledSeries, Aggregate>(Labelled));
}
