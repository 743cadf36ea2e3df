-- Dyno sizes are checked since issue 15 (an unknown one is refused) and stored by their
-- canonical name (packages/shared/src/dyno-sizes.ts). Rows written before hold whatever was
-- typed: each becomes the size it meant, and one that meant none becomes Basic (which is what
-- it ran as).
UPDATE formation SET size = CASE lower(trim(size))
  WHEN 'eco' THEN 'Eco'
  WHEN 'basic' THEN 'Basic'
  WHEN 'standard-1x' THEN 'Standard-1X'
  WHEN '1x' THEN 'Standard-1X'
  WHEN 'standard-2x' THEN 'Standard-2X'
  WHEN '2x' THEN 'Standard-2X'
  WHEN 'performance-m' THEN 'Performance-M'
  WHEN 'performance-l' THEN 'Performance-L'
  WHEN 'px' THEN 'Performance-L'
  ELSE 'Basic'
END;
