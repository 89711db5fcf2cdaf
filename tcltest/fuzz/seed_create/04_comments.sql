CREATE TABLE t(a /* c, ( */ INT -- comment
, b VARCHAR(10, 2) DEFAULT (1 + (2 * 3)), c BLOB DEFAULT x'00ff', d DEFAULT -1.5e3, e DEFAULT +0x1F, CHECK ((a) IN (1, 2, 3)))