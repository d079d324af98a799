using System.Diagnostics.Metrics;
using RawZipServer.Metrics;

namespace RawZipServer.UnitTests.Metrics;

public sealed class PrometheusExporterTests
{
    [Fact]
    public void CountersGaugesAndHistogramsRenderInTheTextFormat()
    {
        using var metrics = new ServerMetrics();
        using var exporter = new PrometheusExporter(metrics.Meter);
        int active = 3;
        metrics.ObserveActiveArchives(() => active);

        metrics.ArchivesStarted.Add(2);
        metrics.ArchivesAborted.Add(1, new KeyValuePair<string, object?>("reason", AbortReason.Client));
        metrics.ArchivesRefused.Add(1, new KeyValuePair<string, object?>("status", "404"));
        metrics.ArchivesRefused.Add(1, new KeyValuePair<string, object?>("status", "404"));
        metrics.OriginRequests.Add(1, new KeyValuePair<string, object?>("origin", "we\"ird\\name"));
        metrics.ActiveConnections.Add(1);
        metrics.ActiveConnections.Add(1);
        metrics.ActiveConnections.Add(-1);
        metrics.TimeToFirstByte.Record(0.007);
        metrics.TimeToFirstByte.Record(0.05);
        metrics.TimeToFirstByte.Record(30);

        string text = exporter.Render();
        Assert.Contains("# TYPE rawzip_archives_started_total counter\nrawzip_archives_started_total 2\n", text, StringComparison.Ordinal);
        Assert.Contains("rawzip_archives_aborted_total{reason=\"origin\"} 0\nrawzip_archives_aborted_total{reason=\"client\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("rawzip_archives_refused_total{status=\"404\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("rawzip_origin_requests_total{origin=\"we\\\"ird\\\\name\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE rawzip_connections_active gauge\nrawzip_connections_active 1\n", text, StringComparison.Ordinal);
        Assert.Contains("rawzip_archives_active 3\n", text, StringComparison.Ordinal);
        // Cumulative buckets: 0.007 falls in le=0.01, 0.05 in le=0.05 (bounds are inclusive), 30 only in +Inf.
        Assert.Contains("rawzip_time_to_first_byte_seconds_bucket{le=\"0.005\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("rawzip_time_to_first_byte_seconds_bucket{le=\"0.01\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("rawzip_time_to_first_byte_seconds_bucket{le=\"0.05\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("rawzip_time_to_first_byte_seconds_bucket{le=\"10\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("rawzip_time_to_first_byte_seconds_bucket{le=\"+Inf\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("rawzip_time_to_first_byte_seconds_sum 30.057\n", text, StringComparison.Ordinal);
        Assert.Contains("rawzip_time_to_first_byte_seconds_count 3\n", text, StringComparison.Ordinal);

        active = 0;
        Assert.Contains("rawzip_archives_active 0\n", exporter.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void AnExporterSeesOnlyItsOwnMeterInstance()
    {
        using var mine = new ServerMetrics();
        using var other = new ServerMetrics();
        using var exporter = new PrometheusExporter(mine.Meter);
        other.ArchivesStarted.Add(5);
        mine.ArchivesStarted.Add(1);
        Assert.Contains("rawzip_archives_started_total 1\n", exporter.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void ConcurrentRecordingLosesNothing()
    {
        using var metrics = new ServerMetrics();
        using var exporter = new PrometheusExporter(metrics.Meter);
        Parallel.For(0, 8, _ =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                metrics.ResponseBytes.Add(3);
                metrics.ArchiveDuration.Record(0.5);
            }
        });
        string text = exporter.Render();
        Assert.Contains("rawzip_response_bytes_total 240000\n", text, StringComparison.Ordinal);
        Assert.Contains("rawzip_archive_duration_seconds_count 80000\n", text, StringComparison.Ordinal);
        Assert.Contains("rawzip_archive_duration_seconds_sum 40000\n", text, StringComparison.Ordinal);
    }
}
