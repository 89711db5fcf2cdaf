-- Merge
--
-- Revision ID: aa
-- Revises: bb, cc
-- Branch Labels: billing
-- Depends On: dd

-- migrate:up transaction:false
VACUUM;
-- migrate:down transaction:false
PRAGMA journal_mode=WAL;
