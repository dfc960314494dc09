/* Settings table.
   Semicolons; quotes ' " ` and the words BEGIN and END; in a comment. */
CREATE TABLE settings (
    key TEXT PRIMARY KEY, -- the key; unique
    value TEXT
) WITHOUT ROWID;

-- it's a comment with an odd quote
INSERT INTO settings VALUES ('greeting', 'hello; world'), ('path', 'C:\temp\'), ('quote', '''');

CREATE TABLE "audit;trail" (id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT);

CREATE TEMP TRIGGER scratch_trigger AFTER INSERT ON settings BEGIN SELECT 1; SELECT 'END;'; END;
CREATE TRIGGER settings_audit AFTER UPDATE ON settings FOR EACH ROW
BEGIN
    INSERT INTO "audit;trail" (entry) VALUES ('changed ' || OLD.key || '; was ' || OLD.value);
END;

UPDATE settings SET value = 'hi; there' WHERE key = 'greeting';
CREATE UNIQUE INDEX audit_entries ON "audit;trail" (entry);
