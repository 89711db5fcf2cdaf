"""autogen_app.py: the meeting-management app of migrations/ as
Flask-SQLAlchemy models, for autogen_sqla.test (tools/sqla_schema.py).
Written to describe exactly the schema the example history builds."""
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DDL, CheckConstraint, Index, event, text

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
db = SQLAlchemy(app)
NOW = text("(datetime('now'))")


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.Text, nullable=False, unique=True)
    email = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.Text, nullable=False, server_default=NOW)
    phone = db.Column(db.Text, nullable=False)


class Meeting(db.Model):
    __tablename__ = "meetings"
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.Text, nullable=False)
    description = db.Column(db.Text)
    start_time = db.Column(db.Text, nullable=False)
    end_time = db.Column(db.Text, nullable=False)
    created_by = db.Column(db.Integer,
                           db.ForeignKey("users.id", ondelete="CASCADE"),
                           nullable=False)
    created_at = db.Column(db.Text, nullable=False, server_default=NOW)
    status = db.Column(db.Text, nullable=False, server_default="scheduled")
    __table_args__ = (
        CheckConstraint("status IN ('scheduled', 'in_progress', "
                        "'completed', 'cancelled')"),
        CheckConstraint("end_time > start_time"),
        Index("idx_meetings_time", "start_time", "end_time"),
        Index("idx_meetings_status", "status"),
        Index("idx_meetings_created_by", "created_by"),
    )


def member_key(target):
    """One half of the primary key of a meeting's member table."""
    return db.Column(db.Integer, db.ForeignKey(target, ondelete="CASCADE"),
                     primary_key=True)


class MeetingParticipant(db.Model):
    __tablename__ = "meeting_participants"
    meeting_id = member_key("meetings.id")
    user_id = member_key("users.id")
    response = db.Column(db.Text, nullable=False, server_default="pending")
    __table_args__ = (
        CheckConstraint("response IN ('pending', 'accepted', 'declined')"),
        Index("idx_meeting_participants_user", "user_id"),
    )


class MeetingCoHost(db.Model):
    __tablename__ = "meeting_co_hosts"
    meeting_id = member_key("meetings.id")
    user_id = member_key("users.id")
    added_at = db.Column(db.Text, nullable=False, server_default=NOW)


event.listen(MeetingCoHost.__table__, "after_create", DDL("""
CREATE TRIGGER meeting_co_hosts_no_creator
BEFORE INSERT ON meeting_co_hosts
WHEN NEW.user_id = (SELECT created_by FROM meetings WHERE id = NEW.meeting_id)
BEGIN
  SELECT RAISE(ABORT, 'the creator of a meeting cannot be its co-host');
END"""))
