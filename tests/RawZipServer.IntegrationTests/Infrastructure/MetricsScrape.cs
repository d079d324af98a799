using System.Globalization;

namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>One scrape of <c>/metrics</c>: every sample by its series (name and labels as exposed).</summary>
internal static class MetricsScrape
{
    public static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient client)
    {
        string text = await client.GetStringAsync("/metrics");
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith('#'))
            {
                int space = line.LastIndexOf(' ');
                samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return samples;
    }
}
