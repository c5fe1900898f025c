"""Split an amount pro rata to weights, to the cent, so that the parts add up to the amount exactly."""
from decimal import ROUND_FLOOR, Decimal


def split(total, weights, digits=2):
    """Parts of ``total`` proportional to ``weights`` (largest-remainder rounding).

    Every part is first rounded down to ``digits`` decimals; the units of the last decimal still missing
    (the rounding residual) go one by one to the parts whose rounding lost the most, the earlier part
    first on a tie. So the parts sum to ``total`` exactly and no part is off by more than one unit.

    :param total: the amount to split (e.g. a declared dividend pool), at most ``digits`` decimals
    :param list weights: non-negative numbers (e.g. share-days), not all zero
    :return: a list of ``Decimal`` parts, in the order of ``weights``
    """
    unit = Decimal(1).scaleb(-digits)
    units = int((Decimal(str(total)) / unit).to_integral_value())
    weights = [Decimal(str(weight)) for weight in weights]
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError("nothing to split the amount over")
    exact = [units * weight / weight_sum for weight in weights]
    floors = [int(value.to_integral_value(rounding=ROUND_FLOOR)) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda index: (floors[index] - exact[index], index))
    for index in by_remainder[:units - sum(floors)]:
        floors[index] += 1
    return [part * unit for part in floors]
