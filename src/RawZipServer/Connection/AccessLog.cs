using System.Text;
using Microsoft.Extensions.Logging;
using RawZipServer.Http;
using HttpMethod = RawZipServer.Http.HttpMethod;

namespace RawZipServer.Connection;

/// <summary>One line per answered request, with structured fields (the JSON console formatter prints them as "State").</summary>
internal static partial class AccessLog
{
    /// <summary>Query parameters whose value is a credential and never reaches a log.</summary>
    private static readonly string[] s_secretParameters = ["signature"];

    public static void Write(ILogger logger, RequestHead head, RequestRecord record, string client)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        string method = head.Method switch
        {
            HttpMethod.Get => "GET",
            HttpMethod.Head => "HEAD",
            HttpMethod.Post => "POST",
            _ => "OTHER",
        };
        Request(logger, method, RedactTarget(head.Target), record.Status, record.Bytes, Math.Round(record.Elapsed.TotalMilliseconds, 1), record.Entries, record.Result, record.Reason ?? "", client);
    }

    /// <summary>The request target with the value of every secret query parameter replaced by <c>REDACTED</c>.</summary>
    public static string RedactTarget(string target)
    {
        int q = target.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            return target;
        }

        var text = new StringBuilder(target.Length);
        text.Append(target, 0, q + 1);
        bool first = true;
        foreach (string parameter in target[(q + 1)..].Split('&'))
        {
            if (!first)
            {
                text.Append('&');
            }

            first = false;
            int eq = parameter.IndexOf('=', StringComparison.Ordinal);
            string name = eq < 0 ? parameter : parameter[..eq];
            text.Append(Array.Exists(s_secretParameters, s => s.Equals(name, StringComparison.OrdinalIgnoreCase))
                ? name + "=REDACTED"
                : parameter);
        }

        return text.ToString();
    }

    [LoggerMessage(100, LogLevel.Information, "{Client} \"{Method} {Path}\" {Status} {Bytes} {DurationMs}ms entries={Entries} {Result} {Reason}", EventName = "Access")]
    private static partial void Request(ILogger logger, string method, string path, int status, long bytes, double durationMs, int entries, string result, string reason, string client);
}
