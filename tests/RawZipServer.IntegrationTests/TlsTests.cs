using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary><c>https://</c> in <c>Listen</c>: Kestrel's TLS middleware in front of our handler, with a certificate made here.</summary>
public sealed class TlsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("pem")]
    [InlineData("pfx")]
    public async Task ArchiveDownloadsOverHttpsWithAConfiguredCertificate(string kind)
    {
        using var certificate = CreateSelfSigned();
        string folder = Path.Combine(Path.GetTempPath(), "rawzip-tls-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var settings = new Dictionary<string, string?> { ["Listen"] = "https://127.0.0.1:0" };
            if (kind == "pem")
            {
                File.WriteAllText(Path.Combine(folder, "cert.pem"), certificate.ExportCertificatePem());
                File.WriteAllText(Path.Combine(folder, "key.pem"), certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
                settings["Tls:CertificatePath"] = Path.Combine(folder, "cert.pem");
                settings["Tls:KeyPath"] = Path.Combine(folder, "key.pem");
            }
            else
            {
                File.WriteAllBytes(Path.Combine(folder, "cert.pfx"), certificate.Export(X509ContentType.Pfx, "pfx-password"));
                settings["Tls:CertificatePath"] = Path.Combine(folder, "cert.pfx");
                settings["Tls:CertificatePassword"] = "pfx-password";
            }

            await using var server = await TestServer.StartAsync(output, settings: settings);
            Assert.Equal("https", server.BaseAddress.Scheme);
            var spec = new ArchiveSpec().Synthetic("over-tls/a.bin", 1_000_000, 11).Synthetic("over-tls/b.bin", 3000, 12, size: false);
            server.WriteManifest("tls", spec);

            string? seen = null;
            using var client = new HttpClient(new SocketsHttpHandler
            {
                UseProxy = false,
                SslOptions = new SslClientAuthenticationOptions
                {
                    // Trust exactly the certificate this test made, nothing else.
                    RemoteCertificateValidationCallback = (_, presented, _, _) =>
                    {
                        seen = presented?.GetCertHashString(HashAlgorithmName.SHA256);
                        return seen == certificate.GetCertHashString(HashAlgorithmName.SHA256);
                    },
                },
            })
            { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

            using var response = await client.GetAsync("/archive/tls");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(certificate.GetCertHashString(HashAlgorithmName.SHA256), seen);
            byte[] archive = await response.Content.ReadAsByteArrayAsync();
            await ArchiveReaders.VerifyAsync(archive, spec.Expected, output, $"archive over https ({kind})");
            Assert.Equal("ok\n", await client.GetStringAsync("/healthz"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static X509Certificate2 CreateSelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }
}
