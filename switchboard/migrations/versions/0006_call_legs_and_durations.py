"""call legs and durations

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 21:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("marks", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("legs", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("ring_seconds", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("talk_seconds", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("hold_seconds", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("transfer_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("transfer_to", sa.String(length=128), nullable=True))
        batch_op.create_index("ix_calls_open", ["ended_at", "updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index("ix_calls_open")
        batch_op.drop_column("transfer_to")
        batch_op.drop_column("transfer_kind")
        batch_op.drop_column("hold_seconds")
        batch_op.drop_column("talk_seconds")
        batch_op.drop_column("ring_seconds")
        batch_op.drop_column("legs")
        batch_op.drop_column("marks")
