-- Who owns a person's data (issue #18, DESIGN.md): the population registry gives names and date
-- of birth of identified persons, and a record keeps the contacts it was given with, which fill
-- the person's only where none is on file and never replace them.
ALTER TABLE registry_persons ADD COLUMN family_name TEXT;
ALTER TABLE registry_persons ADD COLUMN given_name TEXT;
ALTER TABLE registry_persons ADD COLUMN dob TEXT;
ALTER TABLE records ADD COLUMN id_card_index BLOB;
ALTER TABLE records ADD COLUMN phone TEXT;
ALTER TABLE records ADD COLUMN email TEXT;
