import { ValidationFailedError } from '@libs/common/errors/application-error';
import { autoColorFor, autoIconFor, normaliseColor, TAILWIND_COLORS, TAILWIND_SHADES, tailwindHex } from './topic-color';

describe('topic colours: #RRGGBB or a Tailwind name, stored as #rrggbb', () => {
  it('keeps hex colours, lower-cased', () => {
    expect(normaliseColor('#3B82F6')).toBe('#3b82f6');
    expect(normaliseColor('  #a1B2c3 ')).toBe('#a1b2c3');
  });

  it('turns Tailwind names into hex: a name alone is its 500 shade', () => {
    expect(normaliseColor('blue')).toBe('#3b82f6');
    expect(normaliseColor('blue-500')).toBe('#3b82f6');
    expect(normaliseColor('Emerald-700')).toBe('#047857');
    expect(normaliseColor('slate-950')).toBe('#020617');
    expect(normaliseColor('rose-50')).toBe('#fff1f2');
    expect(normaliseColor('amber-300')).toBe('#fcd34d');
  });

  it('has the whole v3 palette: 22 colours x 11 shades, every one a distinct valid hex per colour', () => {
    expect(TAILWIND_COLORS).toHaveLength(22);
    for (const c of TAILWIND_COLORS) {
      const hexes = TAILWIND_SHADES.map((s) => tailwindHex(`${c}-${s}`));
      for (const h of hexes) expect(h).toMatch(/^#[0-9a-f]{6}$/);
      expect(new Set(hexes).size).toBe(11);
    }
  });

  it('refuses anything else with a 400 on the color field', () => {
    for (const bad of ['#12345', '#1234567', '123456', 'blurple', 'blue-550', 'blue-', 'rgb(1,2,3)', '', 'facade']) {
      let err: unknown;
      try {
        normaliseColor(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ValidationFailedError);
      expect((err as ValidationFailedError).errors[0].field).toBe('color');
    }
  });

  it('picks a colour and an icon from the name when none is given, always the same for the same name', () => {
    expect(autoColorFor('Billing')).toBe(autoColorFor('billing '));
    expect(autoColorFor('Billing')).toMatch(/^#[0-9a-f]{6}$/);
    expect(autoIconFor('Billing and refunds')).toBe('credit-card');
    expect(autoIconFor('Crash reports')).toBe('bug-ant');
    expect(autoIconFor('Miscellaneous')).toBe('tag');
  });
});
