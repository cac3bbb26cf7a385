// `import Logbook` is all a program needs: the model, the store protocol and errors, and the
// stores this build includes (the package traits `SQLite` and `REST`, both on by default).
@_exported import LogbookCore

#if SQLite
    @_exported import LogbookSQLite
    @_exported import LogbookOffline
#endif

#if REST
    @_exported import LogbookREST
#endif
