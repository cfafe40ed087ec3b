"""alerts: the scheduler's per-ticket next look and the fired ladder steps

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: batch mode would rebuild `tickets` on SQLite and drop AUTOINCREMENT.
    op.add_column("tickets", sa.Column("next_alert_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_tickets_next_alert_at", "tickets", ["next_alert_at"])
    op.create_table(
        "ticket_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "step", name="uq_ticket_alert"),
    )
    op.create_index("ix_ticket_alerts_ticket_id", "ticket_alerts", ["ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_ticket_alerts_ticket_id", table_name="ticket_alerts")
    op.drop_table("ticket_alerts")
    op.drop_index("ix_tickets_next_alert_at", table_name="tickets")
    op.drop_column("tickets", "next_alert_at")
