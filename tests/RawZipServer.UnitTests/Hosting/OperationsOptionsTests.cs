using RawZipServer.Hosting;

namespace RawZipServer.UnitTests.Hosting;

/// <summary>The keys of issue 7 (Tls:*, Logging:TrustedProxies): bad values fail at startup naming the key.</summary>
public sealed class OperationsOptionsTests
{
    private static ServerOptions Load(params (string Key, string Value)[] settings) => OptionsLoading.Load(settings);

    [Fact]
    public void HttpsWithoutACertificateIsAConfigurationError()
    {
        var ex = Assert.Throws<OptionsException>(() => Load(("Listen", "https://127.0.0.1:8443")));
        Assert.Contains("Tls:CertificatePath", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingOrUnreadableCertificateFilesNameTheirKey()
    {
        var missing = Assert.Throws<OptionsException>(() => Load(("Listen", "https://127.0.0.1:8443"), ("Tls:CertificatePath", "/nonexistent/cert.pem"), ("Tls:KeyPath", "/nonexistent/key.pem")));
        Assert.Contains("Tls:CertificatePath '/nonexistent/cert.pem' does not exist", missing.Message, StringComparison.Ordinal);

        string notACertificate = Path.GetTempFileName();
        try
        {
            File.WriteAllText(notACertificate, "not a certificate");
            var unreadable = Assert.Throws<OptionsException>(() => Load(("Tls:CertificatePath", notACertificate)));
            Assert.Contains("cannot be loaded", unreadable.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(notACertificate);
        }

        Assert.Throws<OptionsException>(() => Load(("Tls:KeyPath", "/etc/key.pem")));
    }

    [Fact]
    public void TrustedProxiesTakeAddressesAndNetworks()
    {
        var options = Load(("Logging:TrustedProxies", "127.0.0.1, 10.0.0.0/8,::1"));
        Assert.Equal(["127.0.0.1/32", "10.0.0.0/8", "::1/128"], options.Logging.TrustedProxies.Select(n => n.ToString()));
        var ex = Assert.Throws<OptionsException>(() => Load(("Logging:TrustedProxies:0", "proxy.example")));
        Assert.Contains("Logging:TrustedProxies 'proxy.example'", ex.Message, StringComparison.Ordinal);
    }
}
