import Foundation
import Testing

@testable import Store

@Suite("Store migrations")
struct StoreMigrationTests {
    @Test("an empty directory is migrated to the current schema on open")
    func migratesFromEmpty() async throws {
        try await withTemporaryStore { store, dir in
            let applied = try await store.appliedMigrations()
            // Every registered migration, the first one being the core schema (others append theirs).
            #expect(applied == Migrations.migrator().migrations.sorted())
            #expect(applied.contains("v1-core") && applied.contains("v2-tracking"))
            #expect(
                FileManager.default.fileExists(atPath: dir.appendingPathComponent(Store.fileName).path))
        }
    }

    @Test("reopening a migrated store keeps its rows and applies nothing twice")
    func reopenKeepsRows() async throws {
        try await withTemporaryStore { store, dir in
            let c = makeCommand()
            try await store.commands.create(c)
            let again = try Store(directory: dir)
            #expect(try await again.appliedMigrations() == Migrations.migrator().migrations.sorted())
            #expect(try await again.commands.get(c.id) == c)
        }
    }

    @Test("the database runs in WAL mode")
    func walMode() async throws {
        try await withTemporaryStore { store, _ in
            let mode = try await store.pool.read { db in
                try String.fetchOne(db, sql: "PRAGMA journal_mode")
            }
            #expect(mode == "wal")
        }
    }

    @Test("a file that is not a database is refused with the path in the error")
    func refusesGarbage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vppd-garbage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(Store.fileName)
        try Data(repeating: 0x41, count: 4096).write(to: file)
        #expect {
            _ = try Store(directory: dir)
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            switch e {
            case .open(let path, _): return path == file.path
            case .migration: return true
            default: return false
            }
        }
    }
}

@Suite("Store shutdown")
struct StoreShutdownTests {
    @Test("close checkpoints the WAL into the database file, and a reopened store has every row")
    func closeAndReopen() async throws {
        try await withTemporaryStore { store, dir in
            let c = makeCommand()
            try await store.commands.create(c)
            try await store.close()
            let wal = dir.appendingPathComponent(Store.fileName + "-wal").path
            let walSize = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
            #expect(walSize == 0)
            await #expect(throws: StoreError.self) { try await store.commands.get(c.id) }
            let again = try Store(directory: dir)
            #expect(try await again.commands.get(c.id) == c)
        }
    }
}

@Suite("Store schema versions")
struct StoreSchemaVersionTests {
    @Test("a store written by a newer vppd (an unknown migration applied) is refused, not used")
    func refusesNewerSchema() async throws {
        try await withTemporaryStore { store, dir in
            try await store.pool.write { db in
                try db.execute(
                    sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
            }
            try await store.close()
            #expect {
                _ = try Store(directory: dir)
            } throws: { error in
                guard case .migration(let reason) = error as? StoreError else { return false }
                return reason.contains("newer vppd")
            }
        }
    }
}
