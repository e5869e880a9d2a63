"""campaign schedules; leads made from a customer segment remember their customer

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 00:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("schedule", sa.JSON(), nullable=True))
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_leads_customer_id", ["customer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_customer_id")
        batch_op.drop_column("customer_id")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("schedule")
