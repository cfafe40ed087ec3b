"""clocks: arrival limit, pauses, who finished a job; scheduled runs (daily digests)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TICKET_COLUMNS = (
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("start_due_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("paused_seconds", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("resolved_by_id", sa.Integer(), nullable=True),
)


def upgrade() -> None:
    # Plain ADD COLUMN: batch mode would rebuild `tickets` on SQLite and drop AUTOINCREMENT.
    for column in _TICKET_COLUMNS:
        op.add_column("tickets", column)
    op.create_index("ix_tickets_resolved_by_id", "tickets", ["resolved_by_id"])
    op.create_table(
        "scheduled_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("scheduled_runs")
    op.drop_index("ix_tickets_resolved_by_id", table_name="tickets")
    for column in reversed(_TICKET_COLUMNS):
        op.drop_column("tickets", column.name)
