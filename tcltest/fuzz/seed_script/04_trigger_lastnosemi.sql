-- migrate:up
CREATE TRIGGER tr AFTER INSERT ON a BEGIN
  INSERT INTO b VALUES(new.x); SELECT ';';
END;
/* comment ; */ INSERT INTO a VALUES('--')
