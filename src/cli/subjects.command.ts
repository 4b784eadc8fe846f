import { Provider } from '@nestjs/common';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { NotFoundError } from '@libs/common/errors/application-error';
import { DataSubjects } from '@libs/event-store/data-subjects';

function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

@SubCommand({
  name: 'erase',
  arguments: '<subjectId>',
  description: "Erase a data subject (crypto-shredding): their personal values in the log read '[erased]' from now on",
})
class EraseSubject extends CommandRunner {
  constructor(private readonly subjects: DataSubjects) {
    super();
  }

  async run([subjectId]: string[], opts: { actor?: string }): Promise<void> {
    try {
      const erased = await this.subjects.erase(subjectId, { actorId: opts.actor ?? 'cli' });
      print({ subjectId: erased.subjectId, erasedAt: erased.erasedAt, erasedBy: erased.erasedBy, alreadyErased: erased.alreadyErased });
    } catch (err) {
      if (err instanceof NotFoundError) {
        process.stderr.write(`${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      throw err;
    }
  }

  @Option({ flags: '-a, --actor <id>', description: 'who erases (recorded on the erasure event); default "cli"' })
  parseActor(v: string): string {
    if (!/^\S{1,200}$/.test(v)) throw new Error('--actor must be 1-200 characters without spaces');
    return v;
  }
}

@SubCommand({ name: 'show', arguments: '<subjectId>', description: 'A data subject: created, erased (when, by whom), streams naming them' })
class ShowSubject extends CommandRunner {
  constructor(private readonly subjects: DataSubjects) {
    super();
  }

  async run([subjectId]: string[]): Promise<void> {
    const found = await this.subjects.find(subjectId);
    if (!found) {
      process.stderr.write(`No data subject ${subjectId}\n`);
      process.exitCode = 2;
      return;
    }
    print(found);
  }
}

@Command({ name: 'subjects', description: 'Data subjects (right to erasure): erase, show', subCommands: [EraseSubject, ShowSubject] })
export class SubjectsCommand extends CommandRunner {
  static readonly providers: Provider[] = [EraseSubject, ShowSubject];
  async run(): Promise<void> {
    process.stdout.write('usage: subjects erase <subjectId> [--actor ID] | show <subjectId>\n');
  }
}
