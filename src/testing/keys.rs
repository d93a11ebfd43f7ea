//! Key pairs for tests only: their private halves are published here, so a signature under
//! them proves nothing. Made with OpenSSL 3.0 (commands beside each), for the crate's own tests
//! and yours: sign deliveries as an asymmetric sender would, and check that your receiver
//! accepts them. Never configure these keys in production.

/// The message the OpenSSL signatures below sign (`message.txt`).
pub const FIXTURE_MESSAGE: &[u8] = br#"webhook-guard test message: 1733220000.{"event":"test"}"#;

/// P-256 public key, SubjectPublicKeyInfo PEM (`openssl ec -in p256.pem -pubout`).
pub const P256_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsi9efUnjT8edRQicTBP90l1CqZmu
zhFSOQuIUR/K7dK3k5jGyehok15KScQ+b4leqWXXmzLDo8QsV1sdwyG5tA==
-----END PUBLIC KEY-----";

/// **Test only.** The P-256 private key (`openssl ecparam -name prime256v1 -genkey -noout`).
pub const P256_PRIVATE_PEM_TEST_ONLY: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIJkcFWzunAasYWDiPbh9tGheUUfHVrNWpUNSAjiwYWYQoAoGCCqGSM49
AwEHoUQDQgAEsi9efUnjT8edRQicTBP90l1CqZmuzhFSOQuIUR/K7dK3k5jGyeho
k15KScQ+b4leqWXXmzLDo8QsV1sdwyG5tA==
-----END EC PRIVATE KEY-----";

/// `openssl dgst -sha256 -sign p256.pem message.txt | base64`: an ECDSA signature, DER.
pub const P256_OPENSSL_SIGNATURE_DER_BASE64: &str = "MEQCIH2SILp0LXm+yxRGMhdLAWmjKvaZElyMFb7DTIn69L6LAiBXR3MI4tFBn1XwRBrQBlbfeiZOE+XhwO/2qZySUzHA+Q==";

/// RSA 2048 public key, SubjectPublicKeyInfo PEM (`openssl rsa -in rsa.pem -pubout`).
pub const RSA_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApUc1V3jWMR/gjXTXhj7D
+qC0K5Da4hcyn4iuHd/K5NVycXkt5LPvbho4hXjSdcurG0ySuoL5xnTDEb6VAoiT
+klK4zHXSvVcEfn3ZWuBq6bZoJybMJEO5j1NDAZFVYfAFdKwshyj18edwiPZSPj0
viFc5l1NnvrvQwhAtYeK7S9uGCI68qbp3aq8281yMKuHQDWneHzbNs6KjdS/L0F5
nXDbwleZ9GvvEluVhOHEg3ZcCAQX60QWc6Q6KBG/MasrMs1cs4mLVRcLEnI0Wlw5
HeWDTJKGV0BBVDXATQhboSqL9uqZRSjEoH9DqRnysV4RNQ7G//ZCo8yL9HW8q9cK
8QIDAQAB
-----END PUBLIC KEY-----";

/// **Test only.** The RSA 2048 private key (`openssl genrsa 2048`).
pub const RSA_PRIVATE_PEM_TEST_ONLY: &str = "-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQClRzVXeNYxH+CN
dNeGPsP6oLQrkNriFzKfiK4d38rk1XJxeS3ks+9uGjiFeNJ1y6sbTJK6gvnGdMMR
vpUCiJP6SUrjMddK9VwR+fdla4GrptmgnJswkQ7mPU0MBkVVh8AV0rCyHKPXx53C
I9lI+PS+IVzmXU2e+u9DCEC1h4rtL24YIjrypundqrzbzXIwq4dANad4fNs2zoqN
1L8vQXmdcNvCV5n0a+8SW5WE4cSDdlwIBBfrRBZzpDooEb8xqysyzVyziYtVFwsS
cjRaXDkd5YNMkoZXQEFUNcBNCFuhKov26plFKMSgf0OpGfKxXhE1Dsb/9kKjzIv0
dbyr1wrxAgMBAAECggEACUsQt8Nmn8qAENQiDj1XPa9tkgmKFS5ivU+tIqbjvKw3
zCOZLgPkEZfN18tsYg06qMVMdspIix0jnsrNjB/r2iXm3RF/XoqfS693dq9t0h4G
nJ5Rp5Bwewe1Xli361A/v7piDxHHMKnbt//WBuFguZQcqiNS6v6HF4jOQqbFbAKo
cykHbT2tk86l2yOjsUTaN1hI/ftzjVuZghWLPydK7revm0jMYUk2FzLtU8yUJrGs
1TbwitGltr+ww/afHeI5ZdMsyID5y5VFQYgqkOYNIx8tsOWNaUqmFiCTnXu1PE8o
5ffeak7REPfXHlgLCYrO8AJj/2Ns77ULn5u0sk7wxQKBgQDltDeh+YQ1J0k9oIEi
ijhr0ExKuc/1hzXf07TRAO1oYhulJ7vOXFcwbtSAlY4MF894ad5Zh2u1zFUhqCaT
EjhpYGspdYObm9oAJqfieZw8EkwTbBZUbjEpGxPxAqHSkCA5s23Tl4r2jbbC+6vX
yDg1uuNSqWxlFskVVomIicAAqwKBgQC4Muf8gZGp110ky5/B3dl5NYVwmEvywntc
Cd+lmt+ynJ5X87Yl5nj3BUWai9nxBTHLT4WzJwuKYMSayBJq9XbWGpftp6K2F+ww
loUwhwUtzUMZCHvBudCLa96CqP9SQL1DhuPo4ztWvMjp1+9dJS5wOhhHrwPVadzQ
iURXSM960wKBgG5F1CdYR9XUpF6HfTb9sBRiDR4akfFHFd/8HGPx1Ac2ghsJNind
PqYrrqyEH4tCqwEdofbNAjJmg8ACn3IfXyGHfiqLFcFQUpmb9SDOTOixx//S9e1W
cRdQvoQHRXR2aGIK94CK0dWHNuPoOhj/L6zrqVH3r+ffxm0N/DymFJy9AoGAF5+H
uw2O9d5F9tMakQ13t6DSlUci7mZc1cf6Y83CBLEraZI6+Q9e0idd7t0ivVNyOGXh
esF2LHAOpt8j5Y3HiNvuQi9uobXdt7mGKVwXoPEjOtGotYa0JT1XUyCDZjQhUci5
8AM8d/pMNhlYfHSpSQFaXc8nSbaC+EeyeRNAcLsCgYBJT3TgESQDhWkT3gg71c6j
qLLA3ZGeR+lw7EmfDSAweaXJeyRxVm8I14VbheSkMxMZaEiQ/IOo1bhGAQQWibUe
zuZhLJmDrdutjvd/rvur402fxYawC0GfuathrF+n+ZJY/fq20RRwdF9DqOFoKHDn
B+aOYZ+NGug9M6TOQqS8jg==
-----END PRIVATE KEY-----";

/// A self-signed certificate of the RSA key, as PayPal serves its signing certificate
/// (`openssl req -x509 -key rsa.pem -days 3650 -subj "/CN=webhook-guard test/"`).
pub const RSA_CERTIFICATE_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIDGzCCAgOgAwIBAgIUY1HU3S99xYF4HWrmJCuc3JClAdwwDQYJKoZIhvcNAQEL
BQAwHTEbMBkGA1UEAwwSd2ViaG9vay1ndWFyZCB0ZXN0MB4XDTI2MTIwMzA3NTM0
N1oXDTM2MTEzMDA3NTM0N1owHTEbMBkGA1UEAwwSd2ViaG9vay1ndWFyZCB0ZXN0
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApUc1V3jWMR/gjXTXhj7D
+qC0K5Da4hcyn4iuHd/K5NVycXkt5LPvbho4hXjSdcurG0ySuoL5xnTDEb6VAoiT
+klK4zHXSvVcEfn3ZWuBq6bZoJybMJEO5j1NDAZFVYfAFdKwshyj18edwiPZSPj0
viFc5l1NnvrvQwhAtYeK7S9uGCI68qbp3aq8281yMKuHQDWneHzbNs6KjdS/L0F5
nXDbwleZ9GvvEluVhOHEg3ZcCAQX60QWc6Q6KBG/MasrMs1cs4mLVRcLEnI0Wlw5
HeWDTJKGV0BBVDXATQhboSqL9uqZRSjEoH9DqRnysV4RNQ7G//ZCo8yL9HW8q9cK
8QIDAQABo1MwUTAdBgNVHQ4EFgQUZh6hQCnIYlI2UuF3kiaXD75pZFQwHwYDVR0j
BBgwFoAUZh6hQCnIYlI2UuF3kiaXD75pZFQwDwYDVR0TAQH/BAUwAwEB/zANBgkq
hkiG9w0BAQsFAAOCAQEAYDYnHQOJAP6bcQug+5Ex6N08yTtrFt2kUeQnJS8OaCHp
6KCrq9lwNijMhdeaAR7ouuZjX6DOV8c3V0NT8cmCp/XsdA5f5YtaRs1fmNrnMPgj
Rrqp6b5W+7ek7PX3XBtC4Ui3VcrfMOynfClQMx1sDaFTd8j+0tvni/jya2GgphGE
DLoVOst2iJRU/+ivy4Lw4n/71HvdPoA/Tu9XVZf9kmi2wbrdwrcmw8Fwkd6AoRXG
oGFzjSwVIrRoS6LMUFN3UV65M+7mUoYGyKNLQ5WhmQsG91BRahCWWu8yafeaPNzL
//0l+D1ZNHYAH03vUeMAaRCKp4nqc2ZGbtd9Wxh7ww==
-----END CERTIFICATE-----";

/// `openssl dgst -sha256 -sign rsa.pem message.txt | base64`: an RSASSA-PKCS1-v1_5 signature.
pub const RSA_OPENSSL_SIGNATURE_BASE64: &str = "fGEwDU9qb7ReyPCyMnb7eEQQojrX9OzVemBiuYXt6LNk2wUaBRuoRjx8tSbNZnVje52Tk5wORXpSk2LZj/0bV11TmumMrQU/rGILtn9pUYNsD7KSVC5k7RI5wwRSlYhb+eJP5VYjSLC4jEYMRTEEJZybfzkjTw4tWg3yx+ckBKkmlTZbvUW+AGd+hbzbrIjFPI+mKNhEf3dANsbyVhSxk/NlTPV7iLofYPxE8vsWn5zGYRPnxdp/LVanTpe/O+T/JvsU3BNv/VZFhLoG1c7m8Bp5JeORb2R+MeFds7IikpNE7m5JiGu2T3gF5Ch5h57T5zA+4a2d3gc6S4Qxrpg69A==";

/// A 1024-bit RSA public key (`openssl genrsa 1024`), too short to be accepted.
pub const RSA_1024_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDK+qZcqgUV2TG+wKkABBxvTjTT
wy5RW3dZYIlQdhgnJ+9AS+Rfegovt9VdN0TjPP0PzmVEBWJVIyL0Lge+Kwn09i5H
5V0k0noWNzA76ygLwwEjtjcgWnymmLqzb3gcqn0nADKlGmOExY6PNTlPnDTU9IBH
//wiphjOeagQLv64iwIDAQAB
-----END PUBLIC KEY-----";

/// **Test only.** An Ed25519 private key (its 32-byte seed): RFC 8032, section 7.1, test 1.
pub const ED25519_SEED_TEST_ONLY: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];

/// The public key of [`ED25519_SEED_TEST_ONLY`], as 64 hex digits (RFC 8032, section 7.1,
/// test 1).
pub const ED25519_PUBLIC_HEX: &str =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
