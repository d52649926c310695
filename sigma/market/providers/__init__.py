"""Market-data providers behind one protocol (the only place besides sigma.chat.llm with network).

Each provider translates its vendor's payload into the standard frames of `sigma.market.standard`.
"""
