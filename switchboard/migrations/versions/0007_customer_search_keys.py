"""customer search keys, last interaction, quick-create requests

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 21:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import switchboard.core.db


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SEARCH_KEY = sa.String(64).with_variant(postgresql.VARCHAR(64, collation="C"), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(
            sa.Column(
                "last_interaction_at",
                switchboard.core.db.UtcDateTime(timezone=True),
                nullable=True,
            )
        )
    op.create_table(
        "customer_search_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", SEARCH_KEY, nullable=False),
        sa.Column("term", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_customer_search_keys_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_search_keys_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_search_keys")),
    )
    op.create_index(
        op.f("ix_customer_search_keys_customer_id"),
        "customer_search_keys",
        ["customer_id"],
        unique=False,
    )
    op.create_index("ix_customer_search_keys_key", "customer_search_keys", ["key"], unique=False)
    op.create_table(
        "customer_quick_requests",
        sa.Column("request_id", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", switchboard.core.db.UtcDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_quick_requests_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_customer_quick_requests")),
    )
    # Customers stored before this revision get their keys now, so search finds them.
    from customers.search_keys import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("customer_quick_requests")
    op.drop_index("ix_customer_search_keys_key", table_name="customer_search_keys")
    op.drop_index(
        op.f("ix_customer_search_keys_customer_id"), table_name="customer_search_keys"
    )
    op.drop_table("customer_search_keys")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("last_interaction_at")
