using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RawZipServer.Hosting;

/// <summary>Loads the server certificate of <c>Tls:*</c> at startup, so a bad file is a configuration error, not a failed handshake later.</summary>
internal static class TlsCertificate
{
    public static X509Certificate2 Load(string certificatePath, string? keyPath, string? password)
    {
        try
        {
            if (keyPath is not null)
            {
                // PEM: certificate (chain) in one file, private key in the other, optionally encrypted with the password.
                return password is null
                    ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, keyPath);
            }

            // PFX/PKCS#12: certificate and key together.
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password);
            if (!certificate.HasPrivateKey)
            {
                certificate.Dispose();
                throw new OptionsException($"Tls:CertificatePath '{certificatePath}' has no private key (a PEM certificate needs Tls:KeyPath)");
            }

            return certificate;
        }
        catch (CryptographicException ex)
        {
            throw new OptionsException($"Tls:CertificatePath '{certificatePath}'{(keyPath is null ? "" : $" with Tls:KeyPath '{keyPath}'")} cannot be loaded: {ex.Message}");
        }
    }
}
