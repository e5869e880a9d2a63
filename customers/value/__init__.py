"""Customer value: RFM, ABC, CLV, churn risk and cross-sell rules.

Pure functions over plain records (no I/O, standard library only), so the same code scores
one customer in the 360 view and a whole base in ``switchboard segments refresh``. Each
module documents its formula; docs/customers.md explains them to operators.
"""
