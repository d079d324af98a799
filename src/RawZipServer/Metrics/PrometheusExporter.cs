using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace RawZipServer.Metrics;

/// <summary>
/// Aggregates the measurements of one <see cref="Meter"/> instance with a <see cref="MeterListener"/> and
/// renders them in the Prometheus text exposition format 0.0.4 for <c>GET /metrics</c>. Written here rather
/// than taken from prometheus-net or OpenTelemetry: see README "Metrics" for why.
/// Recording (the hot path) only does interlocked adds on per-series fields; the lock is taken when an
/// instrument is published and when rendering.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<Aggregate> _aggregates = [];

    public PrometheusExporter(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this server's meter instance: other servers in the process (tests) have their own exporter.
            if (!ReferenceEquals(instrument.Meter, meter))
            {
                return;
            }

            var aggregate = Aggregate.For(instrument);
            lock (_aggregates)
            {
                _aggregates.Add(aggregate);
            }

            listener.EnableMeasurementEvents(instrument, aggregate);
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((Aggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((Aggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((Aggregate)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>The whole exposition, in instrument creation order.</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder(4096);
        lock (_aggregates)
        {
            foreach (var aggregate in _aggregates)
            {
                aggregate.Write(text);
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private abstract class Aggregate(string name, string help, string type)
    {
        protected string Name { get; } = name;

        public static Aggregate For(Instrument instrument)
        {
            string baseName = instrument.Name.Replace('.', '_');
            return instrument switch
            {
                Histogram<double> => new HistogramAggregate(baseName + (instrument.Unit == "s" ? "_seconds" : ""), instrument.Description ?? "", BucketsFor(instrument.Name)),
                Counter<long> => new SumAggregate(baseName + "_total", instrument.Description ?? "", "counter", ServerMetrics.KnownTags.GetValueOrDefault(instrument.Name)),
                ObservableGauge<int> => new SumAggregate(baseName, instrument.Description ?? "", "gauge", default, set: true),
                _ => new SumAggregate(baseName, instrument.Description ?? "", "gauge", default),
            };
        }

        public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

        public abstract void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

        public void Write(StringBuilder text)
        {
            text.Append("# HELP ").Append(Name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
            WriteSamples(text);
        }

        protected abstract void WriteSamples(StringBuilder text);

        protected static StringBuilder AppendNumber(StringBuilder text, double value) => double.IsPositiveInfinity(value)
            ? text.Append("+Inf")
            : text.Append(value.ToString("R", CultureInfo.InvariantCulture));

        private static double[] BucketsFor(string instrument) => instrument switch
        {
            // First bytes wait on the manifest and the first origin file: milliseconds to seconds.
            "rawzip.time_to_first_byte" => [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            // Whole archives run from a few KiB to many GiB: a second to hours.
            _ => [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200],
        };
    }

    /// <summary>Counters, up-down counters and gauges: one long per tag value (one tag at most, as our instruments use).</summary>
    private sealed class SumAggregate : Aggregate
    {
        private readonly string? _tag;
        private readonly bool _set;
        private readonly Lock _grow = new();
        // Copy-on-write: recording scans it without a lock; a new tag value (rare: a new status or origin) swaps in a longer array.
        private Series[] _series;

        public SumAggregate(string name, string help, string type, (string Tag, string[] Values) known, bool set = false)
            : base(name, help, type)
        {
            _tag = known.Tag;
            _set = set;
            _series = known.Tag is null ? [new Series(null)] : [.. known.Values.Select(v => new Series(v))];
        }

        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => Record((long)value, tags);

        public override void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? label = null;
            if (tags.Length > 0 && _tag is not null)
            {
                label = tags[0].Value as string ?? Convert.ToString(tags[0].Value, CultureInfo.InvariantCulture);
            }

            var series = Find(label);
            if (_set)
            {
                Volatile.Write(ref series.Value, value);
            }
            else
            {
                Interlocked.Add(ref series.Value, value);
            }
        }

        protected override void WriteSamples(StringBuilder text)
        {
            var all = Volatile.Read(ref _series);
            foreach (var series in all)
            {
                text.Append(Name);
                if (series.Label is not null)
                {
                    text.Append('{').Append(_tag).Append("=\"").Append(EscapeLabel(series.Label)).Append("\"}");
                }

                text.Append(' ').Append(Volatile.Read(ref series.Value).ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        private Series Find(string? label)
        {
            var all = Volatile.Read(ref _series);
            for (int i = 0; i < all.Length; i++)
            {
                if (string.Equals(all[i].Label, label, StringComparison.Ordinal))
                {
                    return all[i];
                }
            }

            lock (_grow)
            {
                all = _series;
                foreach (var existing in all)
                {
                    if (string.Equals(existing.Label, label, StringComparison.Ordinal))
                    {
                        return existing;
                    }
                }

                var added = new Series(label);
                Volatile.Write(ref _series, [.. all, added]);
                return added;
            }
        }

        private static string EscapeLabel(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

        private sealed class Series(string? label)
        {
            public readonly string? Label = label;
            public long Value;
        }
    }

    /// <summary>Fixed buckets; counts per bucket kept non-cumulative and summed when rendered.</summary>
    private sealed class HistogramAggregate(string name, string help, double[] bounds) : Aggregate(name, help, "histogram")
    {
        private readonly long[] _counts = new long[bounds.Length + 1];
        private long _sumBits;

        public override void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => Record((double)value, tags);

        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            int bucket = 0;
            while (bucket < bounds.Length && value > bounds[bucket])
            {
                bucket++;
            }

            Interlocked.Increment(ref _counts[bucket]);
            // A lock-free double add: retry the compare-exchange until no other recorder raced us.
            long seen = Volatile.Read(ref _sumBits);
            while (true)
            {
                long next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value);
                long actual = Interlocked.CompareExchange(ref _sumBits, next, seen);
                if (actual == seen)
                {
                    break;
                }

                seen = actual;
            }
        }

        protected override void WriteSamples(StringBuilder text)
        {
            long cumulative = 0;
            for (int i = 0; i <= bounds.Length; i++)
            {
                cumulative += Volatile.Read(ref _counts[i]);
                text.Append(Name).Append("_bucket{le=\"");
                AppendNumber(text, i < bounds.Length ? bounds[i] : double.PositiveInfinity).Append("\"} ").Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            text.Append(Name).Append("_sum ");
            AppendNumber(text, BitConverter.Int64BitsToDouble(Volatile.Read(ref _sumBits))).Append('\n');
            text.Append(Name).Append("_count ").Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }
}
