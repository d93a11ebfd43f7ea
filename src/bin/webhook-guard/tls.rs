//! `send`'s TLS: rustls with the ring provider, HTTP/1.1, the Mozilla roots of `webpki-roots`
//! and the certificates of `--cacert`; and certificate errors said plainly.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use rustls::{CertificateError, ClientConfig, RootCertStore};

use crate::input::{Failure, read_file, usage};

/// The client's TLS settings: rustls' safe default protocol versions (TLS 1.2 and 1.3), the
/// Mozilla roots, and every certificate in `cacert` as an extra trust anchor (a private CA, or a
/// self-signed receiver's own certificate). There is deliberately no way to skip verification.
pub fn client_config(cacert: Option<&Path>) -> Result<ClientConfig, Failure> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = cacert {
        for cert in read_cacert(path)? {
            roots.add(cert).map_err(|e| {
                usage(format!(
                    "--cacert {}: a certificate cannot be trusted: {e}",
                    path.display()
                ))
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Failure::Failed(format!("cannot set up TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// The certificates of a PEM file (`-----BEGIN CERTIFICATE-----` sections; other sections, such
/// as a private key, are skipped), at least one.
fn read_cacert(path: &Path) -> Result<Vec<CertificateDer<'static>>, Failure> {
    let pem = read_file(path, "--cacert file")?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| usage(format!("--cacert {} is not valid PEM: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(usage(format!(
            "--cacert {} holds no PEM certificate (a `-----BEGIN CERTIFICATE-----` section)",
            path.display()
        )));
    }
    Ok(certs)
}

/// If `error` is rustls refusing the receiver's certificate: what to do about it, as a clause to
/// append to the error.
pub fn certificate_advice(error: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    let Some(rustls::Error::InvalidCertificate(problem)) = error.downcast_ref::<rustls::Error>()
    else {
        return None;
    };
    Some(match problem {
        CertificateError::UnknownIssuer => {
            "the receiver's certificate is not signed by a trusted CA; if it is self-signed or \
             from a private CA, give that certificate with --cacert FILE"
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            "the receiver's certificate is for another host name; use one it names in --url"
        }
        CertificateError::Expired
        | CertificateError::ExpiredContext { .. }
        | CertificateError::NotValidYet
        | CertificateError::NotValidYetContext { .. } => {
            "the receiver's certificate is outside its validity period (or this machine's clock \
             is wrong)"
        }
        // rustls-webpki's error, which rustls passes on as `Other`, displays as its name.
        CertificateError::Other(other) if other.to_string() == "CaUsedAsEndEntity" => {
            "the receiver's certificate is a CA certificate (basicConstraints CA:TRUE, which \
             `openssl req -x509` sets unless told otherwise), and a server must present an \
             end-entity one: add `-addext basicConstraints=critical,CA:FALSE`, or sign a server \
             certificate with that CA"
        }
        _ => "the receiver's certificate was refused",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mozilla_roots_are_trusted_without_cacert() {
        assert!(client_config(None).is_ok());
        assert!(webpki_roots::TLS_SERVER_ROOTS.len() > 100);
    }

    #[test]
    fn a_cacert_file_without_certificates_is_a_usage_error() {
        let dir = std::env::temp_dir().join(format!("wg-cacert-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "no PEM here\n").unwrap();
        let broken = dir.join("broken.pem");
        std::fs::write(&broken, "-----BEGIN CERTIFICATE-----\n!!!!\n").unwrap();
        let missing = dir.join("missing.pem");
        for (path, says) in [
            (&empty, "holds no PEM certificate"),
            (&broken, "is not valid PEM"),
            (&missing, "cannot read the --cacert file"),
        ] {
            match client_config(Some(path)) {
                Err(Failure::Usage(msg)) => assert!(msg.contains(says), "{msg}"),
                other => panic!("{path:?}: {other:?}"),
            }
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn certificate_refusals_get_advice() {
        let refused = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        assert!(certificate_advice(&refused).unwrap().contains("--cacert"));
        let other = std::io::Error::other("connection refused");
        assert!(certificate_advice(&other).is_none());
    }
}
