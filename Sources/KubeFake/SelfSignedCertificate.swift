import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A throw-away serving certificate made at start-up: self-signed (it is its own CA, which
/// goes into the kubeconfig as `certificate-authority-data`), P-256, valid for a day, with
/// the listen address, loopback and `localhost` as subject alternative names.
struct SelfSignedCertificate {
    let certificatePEM: String
    let sslContext: NIOSSLContext

    init(host: String, now: Date = Date()) throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            CommonName("kubefake")
            OrganizationName("SwiftLB KubeFake")
        }
        var addresses: [GeneralName] = [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                                        .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1])))]
        if let bytes = Self.addressBytes(host), !bytes.allSatisfy({ $0 == 0 }) {
            addresses.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes))))
        } else if !host.isEmpty, Self.addressBytes(host) == nil, host != "localhost" {
            addresses.append(.dnsName(host))
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(86400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(addresses)
            },
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        self.certificatePEM = try certificate.serializeAsPEM().pemString
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pemRepresentation.utf8), format: .pem))
        )
        self.sslContext = try NIOSSLContext(configuration: configuration)
    }

    /// The 4 or 16 bytes of an IP literal, or nil for a host name.
    static func addressBytes(_ host: String) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, host, &buffer) == 1 { return Array(buffer.prefix(4)) }
        if inet_pton(AF_INET6, host, &buffer) == 1 { return buffer }
        return nil
    }
}
