"""routing work items: agent capacity and timed states, callbacks, the routing leader

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 21:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import switchboard.core.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("capacity", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("exclusive", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("state_until", switchboard.core.db.UtcDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "routing_callbacks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("call_id", sa.String(length=128), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("value_class", sa.String(length=1), nullable=False),
        sa.Column("priority", sa.Double(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("arrival", switchboard.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=100), nullable=True),
        sa.Column("created_at", switchboard.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", switchboard.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_callbacks")),
    )
    with op.batch_alter_table("routing_callbacks", schema=None) as batch_op:
        batch_op.create_index("ix_routing_callbacks_status", ["status"], unique=False)
    op.create_table(
        "routing_leader",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("term", sa.Integer(), nullable=False),
        sa.Column("since", switchboard.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_leader")),
    )


def downgrade() -> None:
    op.drop_table("routing_leader")
    with op.batch_alter_table("routing_callbacks", schema=None) as batch_op:
        batch_op.drop_index("ix_routing_callbacks_status")
    op.drop_table("routing_callbacks")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("state_until")
        batch_op.drop_column("exclusive")
        batch_op.drop_column("capacity")
