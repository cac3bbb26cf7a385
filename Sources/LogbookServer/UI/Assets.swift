import HTTPTypes
import Hummingbird
import NIOCore

/// The UI's stylesheet, scripts and icon: compiled into the binary from `UI/Assets` by the
/// EmbedAssets build plugin (nothing is looked up on disk, so a copied binary serves them), and
/// served from memory under `/static/` with an ETag so a browser revalidates instead of
/// downloading again.
enum Assets {
    struct Asset: Sendable {
        let bytes: ByteBuffer
        let contentType: String
        let etag: String
    }

    /// Every asset by name, built once from the embedded text.
    static let all: [String: Asset] = {
        var assets: [String: Asset] = [:]
        for (name, text) in EmbeddedAssets.files {
            let bytes = ByteBuffer(staticString: text)
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes.readableBytesView { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            assets[name] = Asset(bytes: bytes, contentType: contentType(name), etag: "\"\(String(hash, radix: 16))\"")
        }
        return assets
    }()

    static func url(_ name: String) -> UIURL { UIURL("/static/" + name) }

    static func contentType(_ name: String) -> String {
        switch name.split(separator: ".").last {
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        default: "application/octet-stream"
        }
    }

    static func response(_ name: Substring, request: Request) -> Response? {
        guard let asset = all[String(name)] else { return nil }
        var headers = UIResponse.securityHeaders(contentType: asset.contentType)
        headers[.cacheControl] = "no-cache"
        headers[.eTag] = asset.etag
        if request.headers[.ifNoneMatch] == asset.etag {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.bytes))
    }
}
