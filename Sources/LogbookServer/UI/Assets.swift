import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The UI's stylesheet, scripts and icon: package resources (`UI/Assets`), read once and served
/// from memory under `/static/`, with an ETag so a browser revalidates instead of downloading again.
enum Assets {
    struct Asset: Sendable {
        let bytes: ByteBuffer
        let contentType: String
        let etag: String
    }

    static let names = ["style.css", "app.js", "charts.js", "icon.svg"]

    /// Every asset by name; a missing resource is a packaging error and stops the server at once.
    static let all: [String: Asset] = {
        var assets: [String: Asset] = [:]
        for name in names {
            guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Assets"),
                let data = try? Data(contentsOf: url)
            else { fatalError("The web UI's \(name) is missing from the LogbookServer resource bundle.") }
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            assets[name] = Asset(
                bytes: ByteBuffer(bytes: data), contentType: contentType(name), etag: "\"\(String(hash, radix: 16))\"")
        }
        return assets
    }()

    /// Total size of the assets, uncompressed.
    static var totalBytes: Int { all.values.reduce(0) { $0 + $1.bytes.readableBytes } }

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
