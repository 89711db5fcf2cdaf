-- Revision ID: None
-- Revises: None
SELECT 1;
-- migrate:up
-- migrate:up
