"""The five dimensions of safety (Vincent, Burnett and Carthey, 2013): per ward, each question's measures."""
