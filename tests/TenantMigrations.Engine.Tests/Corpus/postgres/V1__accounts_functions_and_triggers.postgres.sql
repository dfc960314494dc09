-- Accounts with an audit trail. Semicolons; in comments; and 'quotes' (even an odd one: it's) do not split.
CREATE TABLE accounts (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    note text DEFAULT 'semi;colon -- not a comment',
    balance numeric(12, 2) NOT NULL DEFAULT 0,
    created_on date NOT NULL DEFAULT DATE '2020-01-01'
);

/* A block comment /* nested; once, with $$ and a ' */ still the outer comment; */
CREATE INDEX accounts_created_idx ON accounts (created_on);

CREATE TABLE account_audit (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    action text NOT NULL
);

CREATE OR REPLACE FUNCTION audit_account() RETURNS trigger
LANGUAGE plpgsql
AS $function$
BEGIN
    -- a comment inside the body; with a semicolon
    NEW.note := coalesce(NEW.note, '') || ';touched';
    INSERT INTO account_audit (account_id, action) VALUES (NEW.id, TG_OP || ';');
    RETURN NEW;
END;
$function$;

CREATE TRIGGER accounts_audit
    AFTER INSERT OR UPDATE ON accounts
    FOR EACH ROW EXECUTE FUNCTION audit_account();

CREATE FUNCTION nested_quotes() RETURNS text LANGUAGE plpgsql AS $a$
DECLARE
    inner_text text := $b$ it's; $a-is-not-the-end; $$ neither $b$;
BEGIN
    RETURN inner_text || $c$;$c$ || 'x;y';
END;
$a$;

DO $do$
DECLARE
    statement text := $q$CREATE TABLE made_by_do (id int, label text DEFAULT 'x;y')$q$;
BEGIN
    EXECUTE statement;
    IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'made_by_do_idx') THEN
        CREATE INDEX made_by_do_idx ON made_by_do (id);
    END IF;
END
$do$;

DO LANGUAGE plpgsql $$
BEGIN
    INSERT INTO made_by_do VALUES (1, 'from a DO block; with a semicolon');
END;
$$;

CREATE FUNCTION add_one(i integer) RETURNS integer
    LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
    SELECT i + 1;
END;

CREATE OR REPLACE FUNCTION grade(score integer) RETURNS text
    LANGUAGE sql
BEGIN ATOMIC
    SELECT CASE WHEN score >= 90 THEN 'A;' WHEN score >= 50 THEN 'B' ELSE 'C' END;
END;

CREATE PROCEDURE credit(account bigint, amount numeric)
LANGUAGE sql
BEGIN ATOMIC
    UPDATE accounts SET balance = balance + amount WHERE id = account;
    INSERT INTO account_audit (account_id, action) VALUES (account, 'credit');
END;

CREATE VIEW account_emails AS
    SELECT id, lower(email) AS email, grade(balance::integer) AS grade
    FROM accounts
    WHERE note <> ';';

INSERT INTO accounts (email, note) VALUES ('a@example.com', 'first'), ('b@example.com', NULL);
CALL credit(1, 95);
