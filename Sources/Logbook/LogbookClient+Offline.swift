import LogbookCore

#if SQLite && REST
    import LogbookOffline
    import LogbookREST
#endif

extension LogbookClient {
    /// `store` behind an ``OfflineStore`` when the options turn offline logging on and the store
    /// is a tracking server; else `store` itself (a file or database has no server to lose).
    static func journaling(_ store: any TrackingStore, options: Options) -> any TrackingStore {
        #if SQLite && REST
            guard let offline = options.offline, offline.enabled, let rest = store as? RESTStore else { return store }
            // One quick retry: a server that does not answer sends writes to the journal, where
            // waiting costs the training loop nothing, instead of holding it through five backoffs.
            var configuration = rest.configuration
            configuration.maxRetries = min(configuration.maxRetries, 1)
            return OfflineStore(
                remote: RESTStore(url: rest.url, configuration: configuration, client: rest.client),
                trackingURI: rest.url.absoluteString, options: offline, onRefused: options.onWriteError)
        #else
            return store
        #endif
    }
}
